// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "control/run_controls.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "report/report.h"

namespace hs::control {

namespace {
constexpr int kMaxTarget = 100000;
}  // namespace

bool RunControls::SetTarget(int target, const char* who) {
  if (pool_ == nullptr || pool_->shutting_down()) return false;
  const int previous = pool_->target();
  pool_->SetTarget(target);
  log::Info("{}: target viewers {} -> {}", who, previous, target);
  if (on_target_set_) on_target_set_(who);
  return true;
}

void RunControls::TogglePause() {
  if (pool_ == nullptr || pool_->shutting_down()) return;
  const bool pause = !pool_->ramp_paused();
  pool_->PauseRamp(pause);
  log::Info("ramp {}", pause ? "paused" : "resumed");
}

void RunControls::ChangeViewers(double fraction) {
  if (pool_ == nullptr || pool_->shutting_down()) return;
  const int target = pool_->target();
  const int step = std::max(1, static_cast<int>(std::lround(std::abs(fraction) * target)));
  SetTarget(std::clamp(fraction >= 0 ? target + step : target - step, 0, kMaxTarget), "dashboard");
}

metrics::HttpResponse RunControls::OnClients(const metrics::HttpRequest& req) {
  if (req.method != "POST" && req.method != "PUT") {
    return {405, "text/plain", "use POST /api/clients?target=N\n"};
  }
  const std::string raw = metrics::QueryParam(req.query, "target");
  int target = -1;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), target);
  if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size() || target < 0 ||
      target > kMaxTarget) {
    return {400, "text/plain",
            fmt::format("target must be a whole number from 0 to {}\n", kMaxTarget)};
  }
  const int previous = this->target();
  if (!SetTarget(target, "control API")) return {503, "text/plain", "not running\n"};
  return {202, "application/json",
          fmt::format("{{\"previous\":{},\"target\":{}}}\n", previous, target)};
}

void RunControls::AddApiRoutes(metrics::HttpServer& http) {
  http.Route("/api/clients", [this](const metrics::HttpRequest& req) { return OnClients(req); });
  http.Route("/api/status", [this](const metrics::HttpRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      return metrics::HttpResponse{405, "text/plain", "use GET\n"};
    }
    stats::Snapshot s = snapshot_();
    nlohmann::json j = report::ToJson(s);
    j["status"] = report::StatusJson(s);
    return metrics::HttpResponse{200, "application/json", j.dump() + "\n"};
  });
}

}  // namespace hs::control
