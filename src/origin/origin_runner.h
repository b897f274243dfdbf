// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/child_process.h"
#include "core/child_reaper.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "origin/origin_plan.h"

namespace hs::origin {

/// Runs the bundled origin's two children (FFmpeg generator and nginx) from an OriginPlan on
/// the loop. Both die with us: the generator by SIGKILL, nginx by SIGTERM (so its master stops
/// its workers). If nginx exits on its own the generator keeps the stream live and it can be
/// started again by hand (`nginx -p DIR -c DIR/nginx.conf`). Loop thread only.
class OriginRunner {
 public:
  OriginRunner(EventLoop& loop, ChildReaper& reaper, const sigset_t* child_mask)
      : loop_(loop), reaper_(reaper), child_mask_(child_mask) {}
  ~OriginRunner();

  Result<void> Start(const OriginPlan& plan);
  /// Starts prometheus-node-exporter (cpu, meminfo, netdev collectors) and
  /// prometheus-nginx-exporter (reading the origin's /nginx_status) on loopback ports beside the
  /// origin; they stop with it. Returns their /metrics URLs.
  Result<std::vector<std::string>> StartExporters();
  /// Calls \a done with success once the stream's playlist(s) exist on disk and nginx runs, or
  /// with an error after \a timeout or if a child died.
  void WaitReady(Duration timeout, std::function<void(Result<void>)> done);
  /// SIGTERM both, SIGKILL after 3 s; \a done runs once both are reaped.
  void Stop(std::function<void()> done);
  bool running() const;
  const OriginPlan& plan() const { return plan_; }

 private:
  void OnExit(std::unique_ptr<ChildProcess>& which, const char* name, int st);
  void CheckReady();
  void MaybeDone();

  EventLoop& loop_;
  ChildReaper& reaper_;
  const sigset_t* child_mask_;
  OriginPlan plan_;
  std::unique_ptr<ChildProcess> generator_;
  std::unique_ptr<ChildProcess> nginx_;
  std::vector<std::unique_ptr<ChildProcess>> exporters_;
  std::unique_ptr<Timer> ready_poll_;
  std::unique_ptr<Timer> kill_timer_;
  SteadyTime ready_deadline_{};
  std::function<void(Result<void>)> on_ready_;
  std::function<void()> on_stopped_;
  std::string last_exit_;
};

}  // namespace hs::origin
