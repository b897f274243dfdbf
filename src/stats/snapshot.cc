// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/snapshot.h"

namespace hs::stats {

namespace {
template <typename K>
std::uint64_t Sum(const std::map<K, std::uint64_t>& m) {
  std::uint64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}
}  // namespace

std::map<std::string, std::uint64_t> Snapshot::RequestsByKind() const {
  if (!requests.enabled) return logged_requests_by_kind;
  std::map<std::string, std::uint64_t> m;
  for (const auto& [kind, f] : requests.by_kind) m[kind] = f.requests;
  // A mix whose FFmpeg viewers are not measured per request (tap off or tunnels): theirs come
  // from FFmpeg's log, the native viewers' from their records.
  if (!engines.empty() && requests.source == "native") {
    for (const auto& [kind, n] : logged_requests_by_kind) m[kind] += n;
  }
  return m;
}

std::uint64_t Snapshot::TotalRequests() const { return Sum(RequestsByKind()); }
std::uint64_t ProbeFigures::Total() const { return Sum(requests_by_source); }
std::uint64_t Snapshot::TotalErrors() const {
  // Native viewers' request errors are their errors; the tap's duplicate what FFmpeg's log
  // already counted (connect_failed, http_5xx...), so they stay apart. Requests cut by our own
  // stop are not errors of the origin (SPEC §5).
  std::uint64_t n = Sum(errors_by_type);
  if (requests.source == "native") {
    for (const auto& [type, count] : requests.errors_by_type) {
      if (type != "client_aborted") n += count;
    }
  } else {
    // A mix measured by the tap too: the native viewers' failed requests only.
    for (const EngineFigures& e : engines) n += e.engine == "native" ? e.request_errors : 0;
  }
  return n;
}

bool Snapshot::HasNative() const { return engine == "native" || !engines.empty(); }
bool Snapshot::HasFfmpeg() const { return engine != "native"; }
std::uint64_t Snapshot::TotalRestarts() const { return Sum(restarts_by_cause); }

}  // namespace hs::stats
