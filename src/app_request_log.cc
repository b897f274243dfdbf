// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "app_request_log.h"

#include <errno.h>
#include <string.h>

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hs::app {

namespace {
double Ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

RequestLog::~RequestLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<void> RequestLog::Open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "we");
  if (file_ == nullptr) {
    return Fail(ErrorCode::kIo, fmt::format("-tap-log {}: {}", path, ::strerror(errno)));
  }
  return {};
}

void RequestLog::OnRequestComplete(const measure::RequestRecord& r) {
  next_.OnRequestComplete(r);
  if (file_ == nullptr) return;
  // The wall-clock end time lets the line be matched with nginx's $msec.
  const SteadyTime now = clock_.Now();
  const double end_unix =
      std::chrono::duration<double>(clock_.WallNow().time_since_epoch()).count();
  const double start_unix = end_unix - std::chrono::duration<double>(now - r.started).count();
  nlohmann::json j = {{"start", start_unix},
                      {"viewer", r.viewer_id},
                      {"kind", measure::ToString(r.kind)},
                      {"status", r.status},
                      {"body_bytes", r.body_bytes},
                      {"header_bytes", r.header_bytes},
                      {"connect_ms", Ms(r.connect_time)},
                      {"ttfb_ms", Ms(r.ttfb)},
                      {"total_ms", Ms(r.total)},
                      {"reused", r.reused_connection},
                      {"error", measure::ToString(r.error)},
                      {"media_s", r.media_duration_s},
                      {"method", r.method},
                      {"url", r.path}};
  std::fputs(j.dump().c_str(), file_);
  std::fputc('\n', file_);
}

void RequestLog::OnTunnelClosed(const measure::TunnelRecord& r) {
  next_.OnTunnelClosed(r);
  if (file_ == nullptr) return;
  nlohmann::json j = {{"viewer", r.viewer_id},
                      {"kind", "tunnel"},
                      {"authority", r.authority},
                      {"bytes_up", r.bytes_up},
                      {"bytes_down", r.bytes_down},
                      {"total_ms", Ms(r.duration)},
                      {"error", measure::ToString(r.error)}};
  std::fputs(j.dump().c_str(), file_);
  std::fputc('\n', file_);
}

}  // namespace hs::app
