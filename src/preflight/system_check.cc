// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "preflight/system_check.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "core/io.h"

namespace hs::preflight {

namespace {

using C = SysctlCompare;

// SPEC §7, transcribed from the design document's nix/swarm-client/sysctl.nix.
constexpr std::array<SysctlRecommendation, 29> kSysctls = {{
    {"fs.file-max", "2097152", C::kAtLeast},
    {"net.core.netdev_max_backlog", "65535", C::kAtLeast},
    {"net.ipv4.ip_local_port_range", "1026 65535", C::kPortRangeWidth},
    {"net.ipv4.tcp_tw_reuse", "1", C::kEqual},
    {"net.ipv4.tcp_fin_timeout", "15", C::kAtMost},
    {"net.ipv4.tcp_keepalive_time", "120", C::kAtMost},
    {"net.ipv4.tcp_keepalive_intvl", "30", C::kAtMost},
    {"net.ipv4.tcp_keepalive_probes", "4", C::kAtMost},
    {"net.ipv4.tcp_rmem", "4096 1000000 16000000", C::kEachAtLeast},
    {"net.ipv4.tcp_wmem", "4096 1000000 16000000", C::kEachAtLeast},
    {"net.ipv6.tcp_rmem", "4096 1000000 16000000", C::kEachAtLeast},
    {"net.ipv6.tcp_wmem", "4096 1000000 16000000", C::kEachAtLeast},
    {"net.core.rmem_default", "26214400", C::kAtLeast},
    {"net.core.rmem_max", "26214400", C::kAtLeast},
    {"net.core.wmem_default", "26214400", C::kAtLeast},
    {"net.core.wmem_max", "26214400", C::kAtLeast},
    {"net.ipv4.tcp_slow_start_after_idle", "0", C::kEqual},
    {"net.ipv4.tcp_fastopen", "1", C::kBitsSet},
    {"net.ipv4.tcp_timestamps", "1", C::kEnabled},
    {"net.ipv4.tcp_sack", "1", C::kEnabled},
    {"net.ipv4.tcp_fack", "1", C::kEnabled},
    {"net.ipv4.tcp_window_scaling", "1", C::kEnabled},
    {"net.ipv4.tcp_ecn", "1", C::kEqual},
    {"net.ipv4.tcp_notsent_lowat", "131072", C::kAtMost},
    {"net.ipv4.tcp_rto_min_us", "50000", C::kAtMost},
    {"net.ipv4.tcp_no_ssthresh_metrics_save", "0", C::kEqual},
    {"net.ipv4.tcp_reflect_tos", "1", C::kEqual},
    {"net.core.default_qdisc", "cake", C::kEqual},
    {"net.ipv4.tcp_congestion_control", "cubic", C::kEqual},
}};

constexpr std::string_view kPortRangeKey = "net.ipv4.ip_local_port_range";

std::string FoldSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "4096 131072 6291456" → {4096, 131072, 6291456}; nullopt if any field is not a number.
std::optional<std::vector<std::uint64_t>> ParseNumbers(std::string_view s) {
  std::vector<std::uint64_t> out;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (p < end) {
    if (*p == ' ') {
      ++p;
      continue;
    }
    std::uint64_t n = 0;
    auto [next, ec] = std::from_chars(p, end, n);
    if (ec != std::errc() || (next < end && *next != ' ')) return std::nullopt;
    out.push_back(n);
    p = next;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string Limit(rlim_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

std::string SysctlCommand(std::string_view key, std::string_view value) {
  return value.find(' ') == std::string_view::npos ? fmt::format("sysctl -w {}={}", key, value)
                                                   : fmt::format("sysctl -w {}=\"{}\"", key, value);
}

// nullopt: the value could not be compared (not the numbers we expected).
std::optional<bool> Satisfies(const SysctlRecommendation& rec, const std::string& live) {
  if (rec.compare == C::kEqual) {
    const auto a = ParseNumbers(live);
    const auto b = ParseNumbers(rec.value);
    return a && b ? *a == *b : live == rec.value;
  }
  const auto have = ParseNumbers(live);
  const auto want = ParseNumbers(rec.value);
  if (!have || !want) return std::nullopt;
  const std::uint64_t h = have->front();
  const std::uint64_t w = want->front();
  switch (rec.compare) {
    case C::kAtLeast:
      return h >= w;
    case C::kAtMost:
      return h <= w;
    case C::kEnabled:
      return h != 0;
    case C::kBitsSet:
      return (h & w) == w;
    case C::kEachAtLeast:
      if (have->size() != want->size()) return std::nullopt;
      for (size_t i = 0; i < have->size(); ++i) {
        if ((*have)[i] < (*want)[i]) return false;
      }
      return true;
    default:
      return true;
  }
}

std::string_view Qualifier(SysctlCompare c) {
  switch (c) {
    case C::kAtLeast:
      return " or more";
    case C::kAtMost:
      return " or less";
    case C::kEnabled:
      return ", or any non-zero";
    case C::kBitsSet:
      return ", bits set";
    case C::kEachAtLeast:
      return " or more, each";
    default:
      return "";
  }
}

void CheckNofile(const config::Config& config, const SystemFacts& f, std::vector<Finding>& out) {
  // A native viewer holds one socket (two with alternate audio) and no process or pipes; an
  // -engine-mix needs each engine's share.
  const bool native = config.IsNative();
  const bool mix = !config.engine_mix.empty();
  const int n_native = config.ViewersOf(config::Engine::kNative);
  const int n_ffmpeg = config.ViewersOf(config::Engine::kFfmpeg);
  const rlim_t needed = MinimumFdLimit(n_ffmpeg) + NativeMinimumFdLimit(n_native) - 64;
  const auto recommended = (n_ffmpeg > 0 ? static_cast<rlim_t>(n_ffmpeg) * 15 + 1000 : 0) +
                           (n_native > 0 || native ? static_cast<rlim_t>(n_native) * 2 + 256 : 0);
  const rlim_t soft = f.nofile_soft;
  if (soft == RLIM_INFINITY || soft >= recommended) {
    out.push_back({Severity::kOk,
                   fmt::format("open files limit {} (recommended {} for {} clients)", Limit(soft),
                               recommended, config.clients),
                   ""});
    return;
  }
  const std::string fix = f.nofile_hard != RLIM_INFINITY && f.nofile_hard < recommended
                              ? fmt::format(
                                    "raise the hard limit to {0}: LimitNOFILE={0} in the service, "
                                    "`ulimit -Hn {0}` as root, or podman --ulimit nofile={0}:{0}",
                                    recommended)
                              : fmt::format("raise the soft limit: `ulimit -n {}`", recommended);
  if (soft < needed) {
    out.push_back({Severity::kFailure,
                   fmt::format("open files limit {} (hard {}) is below the {} that {} clients need "
                               "({})",
                               Limit(soft), Limit(f.nofile_hard), needed, config.clients,
                               mix      ? "8 per FFmpeg viewer, 1 per native viewer, + 64"
                               : native ? "1 per native viewer + 64"
                                        : "8 per viewer + 64"),
                   fix});
    return;
  }
  out.push_back({Severity::kWarning,
                 fmt::format("open files limit {} (hard {}) is below the recommended {} for {} "
                             "clients ({})",
                             Limit(soft), Limit(f.nofile_hard), recommended, config.clients,
                             mix      ? "FFmpeg viewers*15+1000 + native viewers*2+256"
                             : native ? "clients*2+256: a second connection for alternate audio"
                                      : "clients*15+1000"),
                 fix});
}

void CheckNproc(const config::Config& config, const SystemFacts& f, std::vector<Finding>& out) {
  // Native viewers are no processes: only the test origin's few children count.
  const rlim_t needed = MinimumProcLimit(config.ViewersOf(config::Engine::kFfmpeg));
  if (f.nproc_soft == RLIM_INFINITY || f.nproc_soft >= needed) {
    out.push_back({Severity::kOk,
                   fmt::format("process limit {} (need {} for {} clients)", Limit(f.nproc_soft),
                               needed, config.clients),
                   ""});
    return;
  }
  out.push_back(
      {Severity::kFailure,
       fmt::format("process limit (RLIMIT_NPROC) {} is below the {} that {} clients need "
                   "(one FFmpeg each + 64); viewers would fail to start",
                   Limit(f.nproc_soft), needed, config.clients),
       fmt::format("`ulimit -u {0}`, LimitNPROC=infinity in the service, or podman --ulimit "
                   "nproc={0}:{0}",
                   needed)});
}

void CheckPortRange(const config::Config& config, const SystemFacts& f, std::vector<Finding>& out) {
  const auto it = f.sysctls.find(std::string(kPortRangeKey));
  if (it == f.sysctls.end()) {
    out.push_back(
        {Severity::kNote, fmt::format("{} is not readable (skipped)", kPortRangeKey), ""});
    return;
  }
  const auto range = ParseNumbers(it->second);
  const std::string fix = SysctlCommand(kPortRangeKey, "1026 65535");
  if (!range || range->size() != 2 || (*range)[1] < (*range)[0]) {
    out.push_back({Severity::kWarning,
                   fmt::format("{} has an unexpected value \"{}\"", kPortRangeKey, it->second),
                   fix});
    return;
  }
  const std::uint64_t width = (*range)[1] - (*range)[0] + 1;
  // FFmpeg viewers hold about 3 connections each (recommendedPorts = clients*5), native 1-2.
  const auto wanted = static_cast<std::uint64_t>(config.ViewersOf(config::Engine::kNative)) * 2 +
                      static_cast<std::uint64_t>(config.ViewersOf(config::Engine::kFfmpeg)) * 5;
  const bool ok = width >= wanted;
  out.push_back({ok ? Severity::kOk : Severity::kWarning,
                 fmt::format("ephemeral ports {}-{}: {} ports, {} recommended for {} clients "
                             "(FFmpeg viewers*5 + native viewers*2)",
                             (*range)[0], (*range)[1], width, wanted, config.clients),
                 ok ? "" : fix});
}

// Returns how many settings warned.
int CheckSysctls(const SystemFacts& f, std::vector<Finding>& out) {
  int warnings = 0;
  for (const SysctlRecommendation& rec : kSysctls) {
    if (rec.compare == C::kPortRangeWidth) continue;  // CheckPortRange judges it by width
    const auto it = f.sysctls.find(std::string(rec.key));
    if (it == f.sysctls.end()) {
      out.push_back({Severity::kNote,
                     fmt::format("{} is not present on this kernel (skipped)", rec.key), ""});
      continue;
    }
    const std::optional<bool> ok = Satisfies(rec, it->second);
    const std::string seen = fmt::format("{} = {} (recommended {}{})", rec.key, it->second,
                                         rec.value, Qualifier(rec.compare));
    if (ok.value_or(false)) {
      out.push_back({Severity::kOk, seen, ""});
      continue;
    }
    ++warnings;
    out.push_back({Severity::kWarning, ok ? seen : "unexpected value: " + seen,
                   SysctlCommand(rec.key, rec.value)});
  }
  return warnings;
}

}  // namespace

std::span<const SysctlRecommendation> RecommendedSysctls() { return kSysctls; }

std::optional<bool> SysctlSatisfied(const SysctlRecommendation& rec, const std::string& live) {
  if (rec.compare == C::kPortRangeWidth) {
    const auto have = ParseNumbers(live);
    const auto want = ParseNumbers(rec.value);
    if (!have || !want) return std::nullopt;
    return *have == *want;
  }
  return Satisfies(rec, live);
}

rlim_t MinimumFdLimit(int clients) { return static_cast<rlim_t>(std::max(clients, 0)) * 8 + 64; }

rlim_t NativeMinimumFdLimit(int clients) { return static_cast<rlim_t>(std::max(clients, 0)) + 64; }

rlim_t MinimumProcLimit(int clients) { return static_cast<rlim_t>(std::max(clients, 0)) + 64; }

SystemFacts ReadSystemFacts(const std::string& proc_sys_root) {
  SystemFacts f;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    f.nofile_soft = rl.rlim_cur;
    f.nofile_hard = rl.rlim_max;
  }
  if (getrlimit(RLIMIT_NPROC, &rl) == 0) {
    f.nproc_soft = rl.rlim_cur;
    f.nproc_hard = rl.rlim_max;
  }
  for (const SysctlRecommendation& rec : kSysctls) {
    std::string path = proc_sys_root + "/" + std::string(rec.key);
    std::replace(path.begin() + static_cast<std::ptrdiff_t>(proc_sys_root.size()), path.end(), '.',
                 '/');
    // ReadSmallFile gives "" for a missing or unreadable file; no /proc/sys file is empty.
    std::string value = FoldSpaces(ReadSmallFile(path, 4096));
    if (!value.empty()) f.sysctls.emplace(std::string(rec.key), std::move(value));
  }
  return f;
}

bool RaiseNofileSoftLimit(rlim_t wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= wanted) return true;
  const rlim_t target = rl.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, rl.rlim_max);
  if (target > rl.rlim_cur) {
    rl.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  }
  return target >= wanted;
}

std::vector<Finding> CheckSystem(const config::Config& config, const SystemFacts& facts) {
  std::vector<Finding> out;
  CheckNofile(config, facts, out);
  CheckNproc(config, facts, out);
  CheckPortRange(config, facts, out);
  if (CheckSysctls(facts, out) > 0) {
    out.push_back({Severity::kNote,
                   "kernel settings differ from the recommended client tuning (SPEC §7)",
                   fmt::format("apply them all: sudo install -m 644 {} /etc/sysctl.d/ && sudo "
                               "sysctl --system",
                               kSysctlConfPath)});
  }
  return out;
}

bool AnyFailure(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kFailure; });
}

std::string_view SeverityLabel(Severity severity) {
  switch (severity) {
    case Severity::kOk:
      return "ok";
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "WARN";
    case Severity::kFailure:
      return "FAIL";
  }
  return "?";
}

std::string FormatFindings(const std::vector<Finding>& findings, bool include_ok) {
  std::vector<const Finding*> order;
  for (const Finding& f : findings) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(),
                   [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
  std::array<int, 4> counts{};
  std::string out;
  for (const Finding* f : order) {
    ++counts[static_cast<size_t>(f->severity)];
    if (f->severity == Severity::kOk && !include_ok) continue;
    out += fmt::format("{:<4}  {}\n", SeverityLabel(f->severity), f->what);
    if (!f->fix.empty()) out += fmt::format("      fix: {}\n", f->fix);
  }
  out += fmt::format("preflight: {} failure(s), {} warning(s), {} note(s), {} ok\n", counts[3],
                     counts[2], counts[1], counts[0]);
  return out;
}

}  // namespace hs::preflight
