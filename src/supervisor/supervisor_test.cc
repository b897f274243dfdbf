// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "supervisor/supervisor.h"

#include <signal.h>

#include <functional>
#include <map>

#include <gtest/gtest.h>

namespace hs::supervisor {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSegment = "[hls @ 0x55d0] Opening 'http://o/seg_1.ts' for reading\n";

// Runs /bin/sh one-liners instead of FFmpeg; the script per (viewer, attempt) is chosen by the
// test.
class ScriptSpawner final : public Spawner {
 public:
  std::function<std::string(int id, int attempt)> script;
  std::vector<std::vector<std::string>> argvs;
  Result<std::unique_ptr<ChildProcess>> Spawn(int id, int attempt,
                                              const SpawnOptions& opts) override {
    argvs.push_back(opts.argv);
    SpawnOptions o = opts;
    o.argv = {"/bin/sh", "-c", script(id, attempt)};
    return ChildProcess::Spawn(o);
  }
};

struct Recorder final : Listener {
  int spawned = 0, playing = 0, spawn_failed = 0;
  std::vector<ExitStatus> exits;
  std::map<std::string, int> restarts, stalls;
  std::vector<Duration> delays;
  int segments = 0;
  void OnViewerSpawned(int, pid_t, int) override { ++spawned; }
  void OnSpawnFailed(int, const Error&) override { ++spawn_failed; }
  void OnViewerPlaying(int, Duration) override { ++playing; }
  void OnViewerStalled(int, RestartCause c) override { ++stalls[ToString(c)]; }
  void OnViewerExit(int, const ExitStatus& s, Duration, const std::vector<std::string>&) override {
    exits.push_back(s);
  }
  void OnRestartScheduled(int, RestartCause c, Duration d) override {
    ++restarts[ToString(c)];
    delays.push_back(d);
  }
  void OnLogEvent(int, const ffmpeg::LogEvent& e) override {
    if (e.kind == ffmpeg::LogEventKind::kSegmentOpen) ++segments;
  }
  void OnProgress(int, const ffmpeg::ProgressBlock&) override {}
};

struct SupervisorTest : testing::Test {
  RealClock clock_;
  EventLoop loop_{clock_};
  ChildReaper reaper_;
  ScriptSpawner spawner_;
  Recorder rec_;
  std::unique_ptr<Timer> reap_timer_;
  std::unique_ptr<Supervisor> sup_;

  void Make(SupervisorOptions o) {
    o.progress_pipe = false;
    o.seed = 1;
    sup_ = std::make_unique<Supervisor>(loop_, spawner_, reaper_, rec_, o, [](int id) {
      return std::vector<std::string>{"ffmpeg", std::to_string(id)};
    });
    // Tests have no signalfd: poll for exits instead of waiting for SIGCHLD.
    reap_timer_ = loop_.CreateTimer([this] {
      reaper_.ReapAll();
      reap_timer_->Arm(milliseconds(5));
    });
    reap_timer_->Arm(milliseconds(5));
  }
  // Runs the loop until \a done or \a limit passes; returns whether done.
  bool RunUntil(const std::function<bool()>& done, Duration limit = std::chrono::seconds(10)) {
    const SteadyTime end = clock_.Now() + limit;
    while (!done() && clock_.Now() < end) loop_.RunOnce(milliseconds(5));
    return done();
  }
  bool ShutdownAndWait(Duration limit = std::chrono::seconds(10)) {
    bool finished = false;
    sup_->Shutdown([&] { finished = true; });
    return RunUntil([&] { return finished; }, limit);
  }
};

TEST_F(SupervisorTest, RampsAllViewersToPlayingThenStopsThemAll) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  SupervisorOptions o;
  o.clients = 5;
  o.ramp_rate = 50;
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().active == 5; }));
  EXPECT_EQ(rec_.spawned, 5);
  EXPECT_EQ(rec_.segments, 5);
  EXPECT_DOUBLE_EQ(sup_->RampProgress(), 1.0);
  // The achieved rate is a timing (benchmarks measure it); here only that it is computed.
  EXPECT_GT(sup_->AchievedRampRate(), 0.0);
  ASSERT_EQ(spawner_.argvs.size(), 5u);
  EXPECT_EQ(spawner_.argvs[0][1], "0");
  ASSERT_TRUE(ShutdownAndWait());
  ASSERT_EQ(rec_.exits.size(), 5u);
  for (const auto& e : rec_.exits) EXPECT_EQ(e.kind, ExitKind::kInterrupted);
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(sup_->Counts().running, 0);
}

TEST_F(SupervisorTest, RestartsAfterFailureWithBackoffAndCause) {
  spawner_.script = [](int, int attempt) {
    return attempt == 0 ? std::string("exit 3")
                        : std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  SupervisorOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().active == 2; }));
  EXPECT_EQ(rec_.restarts["exit_error"], 2);
  ASSERT_EQ(rec_.delays.size(), 2u);
  for (auto d : rec_.delays) {
    EXPECT_GE(d, milliseconds(200));
    EXPECT_LE(d, milliseconds(300));
  }
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(SupervisorTest, StallWatchdogKillsAndRestarts) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  SupervisorOptions o;
  o.clients = 1;
  o.stall_timeout = milliseconds(300);
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.restarts["stall"] >= 1; }));
  EXPECT_EQ(rec_.stalls["stall"], 1);
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(SupervisorTest, ViewerIgnoringSigintIsKilledAtDeadline) {
  spawner_.script = [](int, int) {
    return std::string("trap '' INT; printf \"") + kSegment +
           "\" >&2; while :; do sleep 0.05; done";
  };
  SupervisorOptions o;
  o.clients = 1;
  o.second_interrupt_after = milliseconds(100);
  o.kill_after = milliseconds(400);
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().active == 1; }));
  const SteadyTime t0 = clock_.Now();
  ASSERT_TRUE(ShutdownAndWait(std::chrono::seconds(5)));
  EXPECT_GE(clock_.Now() - t0, milliseconds(380));
  ASSERT_EQ(rec_.exits.size(), 1u);
  EXPECT_EQ(rec_.exits[0].signal, SIGKILL);
}

TEST_F(SupervisorTest, StderrFloodIsDrainedWithoutBlockingTheChild) {
  // 8 MiB of stderr in long lines: far more than a pipe holds. The child must finish on its own.
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment +
           "\" >&2; head -c 8388608 /dev/zero | tr '\\0' x >&2; exit 0";
  };
  SupervisorOptions o;
  o.clients = 1;
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return !rec_.exits.empty(); }));
  EXPECT_EQ(rec_.exits[0].kind, ExitKind::kClean);
  EXPECT_EQ(rec_.restarts["exit_clean"], 1);
  EXPECT_GE(sup_->Counts().log_lines_truncated, 1u);  // one 8 MiB line, cut at 8 KiB
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(SupervisorTest, LoweringTargetStopsHighestIds) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  SupervisorOptions o;
  o.clients = 4;
  o.ramp_rate = 100;
  Make(o);
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().active == 4; }));
  sup_->SetTarget(2);
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().running == 2; }));
  EXPECT_TRUE(rec_.restarts.empty());
  sup_->SetTarget(3);
  ASSERT_TRUE(RunUntil([&] { return sup_->Counts().active == 3; }));
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(SupervisorTest, MissingBinaryIsASpawnFailureNotACrash) {
  spawner_.script = [](int, int) { return std::string("exit 0"); };
  SupervisorOptions o;
  o.clients = 1;
  Make(o);
  // Replace the spawner's target with a binary that does not exist.
  struct Missing final : Spawner {
    Result<std::unique_ptr<ChildProcess>> Spawn(int, int, const SpawnOptions& opts) override {
      SpawnOptions x = opts;
      x.argv = {"/nonexistent/ffmpeg"};
      return ChildProcess::Spawn(x);
    }
  } missing;
  sup_ = std::make_unique<Supervisor>(loop_, missing, reaper_, rec_, o,
                                      [](int) { return std::vector<std::string>{"x"}; });
  sup_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.spawn_failed >= 2; }));
  EXPECT_GE(rec_.restarts["spawn_failed"], 2);
  ASSERT_TRUE(ShutdownAndWait());
}

}  // namespace
}  // namespace hs::supervisor
