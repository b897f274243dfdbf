// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The FFmpeg engine driven by the real pool, with /bin/sh one-liners in place of FFmpeg (real
// processes, real pipes, real signals). The pool's own logic is tested on a fake clock in
// pool/viewer_pool_test.cc.
#include "ffmpeg/engine.h"

#include <signal.h>

#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "pool/viewer_pool.h"

namespace hs::ffmpeg {
namespace {

using measure::EndReason;
using measure::EngineCount;
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

struct Recorder final : measure::ViewerListener, measure::EngineListener {
  int started = 0, playing = 0, start_failed = 0;
  std::vector<EndReason> ends;
  std::map<std::string, int> restarts, stalls, errors;
  std::map<EngineCount, std::uint64_t> counts;
  std::vector<Duration> delays;
  int segments = 0;
  void OnViewerStarted(int, int) override { ++started; }
  void OnViewerStartFailed(int, const Error&) override { ++start_failed; }
  void OnViewerPlaying(int, Duration) override { ++playing; }
  void OnViewerStalled(int, measure::RestartCause c) override { ++stalls[ToString(c)]; }
  void OnViewerEnded(int, EndReason r, Duration) override { ends.push_back(r); }
  void OnRestartScheduled(int, measure::RestartCause c, Duration d) override {
    ++restarts[ToString(c)];
    delays.push_back(d);
  }
  void OnEngineCount(EngineCount c, std::uint64_t n) override { counts[c] += n; }
  void OnLoggedRequest(measure::RequestKind k, bool) override {
    if (k == measure::RequestKind::kSegment) ++segments;
  }
  void OnEngineError(std::string_view type, int) override { ++errors[std::string(type)]; }
  void OnSpeedSample(double) override {}
};

struct FfmpegEngineTest : testing::Test {
  RealClock clock_;
  EventLoop loop_{clock_};
  ChildReaper reaper_;
  ScriptSpawner spawner_;
  Recorder rec_;
  std::unique_ptr<Timer> reap_timer_;
  std::unique_ptr<FfmpegEngine> engine_;
  std::unique_ptr<pool::ViewerPool> pool_;

  void Make(pool::PoolOptions o, Spawner* spawner = nullptr,
            Duration second_interrupt = std::chrono::seconds(1),
            const std::function<void(FfmpegEngineOptions&)>& tweak = nullptr) {
    o.seed = 1;
    FfmpegEngineOptions eo;
    if (tweak) tweak(eo);
    eo.argv = [](int id) { return std::vector<std::string>{"ffmpeg", std::to_string(id)}; };
    eo.progress_pipe = false;
    eo.second_interrupt_after = second_interrupt;
    engine_ = std::make_unique<FfmpegEngine>(loop_, spawner != nullptr ? *spawner : spawner_,
                                             reaper_, rec_, eo);
    pool_ = std::make_unique<pool::ViewerPool>(loop_, *engine_, rec_, o);
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
    pool_->Shutdown([&] { finished = true; });
    return RunUntil([&] { return finished; }, limit);
  }
};

TEST_F(FfmpegEngineTest, RampsAllViewersToPlayingThenStopsThemAll) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 5;
  o.ramp_rate = 50;
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().active == 5; }));
  EXPECT_EQ(rec_.started, 5);
  EXPECT_EQ(rec_.segments, 5);
  EXPECT_DOUBLE_EQ(pool_->Counts().ramp_progress, 1.0);
  ASSERT_EQ(spawner_.argvs.size(), 5u);
  EXPECT_EQ(spawner_.argvs[0][1], "0");
  ASSERT_TRUE(ShutdownAndWait());
  ASSERT_EQ(rec_.ends.size(), 5u);
  for (auto e : rec_.ends) EXPECT_EQ(e, EndReason::kStopped);
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(pool_->Counts().running, 0);
  EXPECT_EQ(engine_->session_count(), 0u);
}

TEST_F(FfmpegEngineTest, RestartsAfterFailureWithBackoffAndCause) {
  spawner_.script = [](int, int attempt) {
    return attempt == 0 ? std::string("exit 3")
                        : std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().active == 2; }));
  EXPECT_EQ(rec_.restarts["error"], 2);
  ASSERT_EQ(rec_.delays.size(), 2u);
  for (auto d : rec_.delays) {
    EXPECT_GE(d, milliseconds(200));
    EXPECT_LE(d, milliseconds(300));
  }
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, StallWatchdogKillsAndRestarts) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 1;
  o.stall_timeout = milliseconds(300);
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.restarts["stall"] >= 1; }));
  EXPECT_EQ(rec_.stalls["stall"], 1);
  ASSERT_FALSE(rec_.ends.empty());
  EXPECT_EQ(rec_.ends[0], EndReason::kKilled);
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, ViewerIgnoringSigintIsKilledAtDeadline) {
  spawner_.script = [](int, int) {
    return std::string("trap '' INT; printf \"") + kSegment +
           "\" >&2; while :; do sleep 0.05; done";
  };
  pool::PoolOptions o;
  o.clients = 1;
  o.stop_deadline = milliseconds(400);
  Make(o, nullptr, milliseconds(100));
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().active == 1; }));
  const SteadyTime t0 = clock_.Now();
  ASSERT_TRUE(ShutdownAndWait(std::chrono::seconds(5)));
  EXPECT_GE(clock_.Now() - t0, milliseconds(380));
  ASSERT_EQ(rec_.ends.size(), 1u);
  EXPECT_EQ(rec_.ends[0], EndReason::kKilled);
}

TEST_F(FfmpegEngineTest, StderrFloodIsDrainedWithoutBlockingTheChild) {
  // 8 MiB of stderr in long lines: far more than a pipe holds. The child must finish on its own.
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment +
           "\" >&2; head -c 8388608 /dev/zero | tr '\\0' x >&2; exit 0";
  };
  pool::PoolOptions o;
  o.clients = 1;
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return !rec_.ends.empty(); }));
  EXPECT_EQ(rec_.ends[0], EndReason::kEndOfStream);
  EXPECT_EQ(rec_.restarts["end_of_stream"], 1);
  EXPECT_GE(rec_.counts[EngineCount::kDiagnosticLineTruncated], 1u);  // one 8 MiB line, cut
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, LoweringTargetStopsHighestIds) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 4;
  o.ramp_rate = 100;
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().active == 4; }));
  pool_->SetTarget(2);
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().running == 2; }));
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(pool_->StateOf(3), pool::ViewerState::kDone);
  EXPECT_EQ(pool_->StateOf(0), pool::ViewerState::kPlaying);
  pool_->SetTarget(3);
  ASSERT_TRUE(RunUntil([&] { return pool_->Counts().active == 3; }));
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, MissingBinaryIsAStartFailureNotACrash) {
  // A spawner whose target binary does not exist.
  struct Missing final : Spawner {
    Result<std::unique_ptr<ChildProcess>> Spawn(int, int, const SpawnOptions& opts) override {
      SpawnOptions x = opts;
      x.argv = {"/nonexistent/ffmpeg"};
      return ChildProcess::Spawn(x);
    }
  } missing;
  pool::PoolOptions o;
  o.clients = 1;
  Make(o, &missing);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.start_failed >= 2; }));
  EXPECT_GE(rec_.restarts["start_failed"], 2);
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, LogEventsBecomeNeutralCounts) {
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment +
           "[hls @ 0x1] Failed to open segment 7 of playlist 0\\n"
           "[http @ 0x2] HTTP error 404 Not Found\\n"
           "[hls @ 0x1] Failed to reload playlist 0\\n\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 1;
  Make(o);
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.counts[EngineCount::kPlaylistReloadFailed] == 1; }));
  EXPECT_EQ(rec_.counts[EngineCount::kSegmentFailed], 1u);
  EXPECT_EQ(rec_.errors["http_4xx"], 1);
  EXPECT_EQ(rec_.errors["segment_failed"], 1);
  EXPECT_EQ(rec_.counts[EngineCount::kDiagnosticLine], 4u);
  ASSERT_TRUE(ShutdownAndWait());
}

TEST(ClassifyProcessEndTest, CleanExitOfAPlayedVodIsACompletedPlay) {
  const ExitStatus clean{ExitKind::kClean, 0, 0};
  ProcessEnd e = ClassifyProcessEnd(clean, false, false, /*vod=*/true, /*played=*/true, false);
  EXPECT_EQ(e.reason, EndReason::kCompleted);
  EXPECT_TRUE(e.play_completed);
  // Live: exit 0 is FFmpeg giving up (e.g. the origin went away), an end of stream.
  e = ClassifyProcessEnd(clean, false, false, false, true, false);
  EXPECT_EQ(e.reason, EndReason::kEndOfStream);
  EXPECT_FALSE(e.play_completed);
  // A VOD that never played a segment, or whose playlist failed to reload, did not complete.
  EXPECT_EQ(ClassifyProcessEnd(clean, false, false, true, false, false).reason,
            EndReason::kEndOfStream);
  EXPECT_EQ(ClassifyProcessEnd(clean, false, false, true, true, true).reason,
            EndReason::kEndOfStream);
  // Errors, signals and our own stops keep their meaning on a VOD.
  const ExitStatus failed{ExitKind::kExitCode, 1, 0};
  EXPECT_EQ(ClassifyProcessEnd(failed, false, false, true, true, false).reason, EndReason::kError);
  const ExitStatus killed{ExitKind::kSignaled, 0, 9};
  EXPECT_EQ(ClassifyProcessEnd(killed, false, false, true, true, false).reason, EndReason::kSignal);
  EXPECT_EQ(ClassifyProcessEnd(clean, true, false, true, true, false).reason, EndReason::kStopped);
  EXPECT_FALSE(ClassifyProcessEnd(clean, true, false, true, true, false).play_completed);
  EXPECT_EQ(ClassifyProcessEnd(clean, false, true, true, true, false).reason, EndReason::kKilled);
}

TEST_F(FfmpegEngineTest, VodEndRestartPlaysAgainInTheSameSession) {
  // Each process plays the "VOD" (a segment) and exits 0, as FFmpeg does after ENDLIST.
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; sleep 0.1; exit 0";
  };
  pool::PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  Make(o, nullptr, std::chrono::seconds(1), [](FfmpegEngineOptions& eo) {
    eo.vod = true;
    eo.restart_vod = true;
  });
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.counts[EngineCount::kPlayCompleted] >= 6; }));
  EXPECT_TRUE(rec_.restarts.empty());  // a completed play is not a restart
  EXPECT_TRUE(rec_.ends.empty());      // the sessions go on
  EXPECT_EQ(rec_.started, 2);
  EXPECT_EQ(rec_.playing, 2);
  EXPECT_GE(spawner_.argvs.size(), 6u);  // one process per play
  EXPECT_EQ(engine_->plays_completed(), rec_.counts[EngineCount::kPlayCompleted]);
  ASSERT_TRUE(ShutdownAndWait());
  EXPECT_TRUE(rec_.restarts.empty());
}

TEST_F(FfmpegEngineTest, ShutdownStopsTheVodPlayLoop) {
  // Plays complete every 0.1 s and start again; a shutdown must end the loop at once.
  spawner_.script = [](int, int) {
    return std::string("printf \"") + kSegment + "\" >&2; sleep 0.1; exit 0";
  };
  pool::PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  o.stop_deadline = std::chrono::seconds(5);
  Make(o, nullptr, std::chrono::seconds(1), [](FfmpegEngineOptions& eo) { eo.vod = true; });
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.counts[EngineCount::kPlayCompleted] >= 4; }));
  const size_t spawned = spawner_.argvs.size();
  const SteadyTime t0 = clock_.Now();
  ASSERT_TRUE(ShutdownAndWait(std::chrono::seconds(4)));
  EXPECT_LT(clock_.Now() - t0, std::chrono::seconds(2));  // not the 5 s stop deadline
  EXPECT_EQ(spawner_.argvs.size(), spawned);              // no play started after the stop
  ASSERT_EQ(rec_.ends.size(), 2u);
  for (auto e : rec_.ends) EXPECT_TRUE(e == EndReason::kStopped || e == EndReason::kCompleted);
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(engine_->session_count(), 0u);
}

TEST_F(FfmpegEngineTest, VodEndStopCompletesTheViewerForGood) {
  spawner_.script = [](int, int) { return std::string("printf \"") + kSegment + "\" >&2; exit 0"; };
  pool::PoolOptions o;
  o.clients = 3;
  o.ramp_rate = 100;
  bool all_completed = false;
  o.on_all_completed = [&] { all_completed = true; };
  Make(o, nullptr, std::chrono::seconds(1), [](FfmpegEngineOptions& eo) {
    eo.vod = true;
    eo.restart_vod = false;
  });
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return all_completed; }));
  EXPECT_EQ(rec_.counts[EngineCount::kPlayCompleted], 3u);
  ASSERT_EQ(rec_.ends.size(), 3u);
  for (auto e : rec_.ends) EXPECT_EQ(e, EndReason::kCompleted);
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(spawner_.argvs.size(), 3u);
  EXPECT_EQ(pool_->StateOf(0), pool::ViewerState::kDone);
  ASSERT_TRUE(ShutdownAndWait());
}

TEST_F(FfmpegEngineTest, VodErrorExitIsStillARestart) {
  spawner_.script = [](int, int attempt) {
    return attempt == 0 ? std::string("printf \"") + kSegment + "\" >&2; exit 1"
                        : std::string("printf \"") + kSegment + "\" >&2; exec sleep 30";
  };
  pool::PoolOptions o;
  o.clients = 1;
  Make(o, nullptr, std::chrono::seconds(1), [](FfmpegEngineOptions& eo) { eo.vod = true; });
  pool_->Start();
  ASSERT_TRUE(RunUntil([&] { return rec_.restarts["error"] == 1; }));
  EXPECT_EQ(rec_.counts[EngineCount::kPlayCompleted], 0u);
  ASSERT_TRUE(ShutdownAndWait());
}

}  // namespace
}  // namespace hs::ffmpeg
