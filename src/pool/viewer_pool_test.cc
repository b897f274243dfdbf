// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The pool with a fake engine on a fake clock: no process, no sleep. Time moves only when the
// test steps it, from one armed timer to the next, so every start time is exact.
#include "pool/viewer_pool.h"

#include <map>
#include <optional>
#include <set>

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace hs::pool {
namespace {

using measure::EndReason;
using measure::RestartCause;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Scripted sessions: how each one behaves is set per test.
class FakeEngine final : public ViewerEngine {
 public:
  explicit FakeEngine(EventLoop& loop) : loop_(loop) {}
  struct Start {
    int id;
    int attempt;
    SteadyTime at;
  };
  std::vector<Start> starts;
  std::vector<int> stops, kills;
  std::set<int> running;
  std::function<bool(int id, int attempt)> fail_start = [](int, int) { return false; };
  /// Called after a start: the test may end the session (posted) or report playing.
  std::function<void(int id, int attempt)> on_start = [](int, int) {};
  bool ignore_stop = false;
  bool ignore_kill = false;
  SessionEvents* events = nullptr;

  void Attach(SessionEvents& e) override { events = &e; }
  Result<void> StartSession(int id, int attempt) override {
    if (fail_start(id, attempt)) return Fail(ErrorCode::kIo, "no such binary");
    starts.push_back({id, attempt, loop_.clock().Now()});
    running.insert(id);
    on_start(id, attempt);
    return {};
  }
  void StopSession(int id) override {
    stops.push_back(id);
    if (!ignore_stop) End(id, EndReason::kStopped);
  }
  void KillSession(int id) override {
    kills.push_back(id);
    if (!ignore_kill) End(id, EndReason::kKilled);
  }
  /// Ends session \a id as an engine would: posted, never from inside the pool's call.
  void End(int id, EndReason r) {
    loop_.Post([this, id, r] {
      if (running.erase(id) != 0) events->OnEnded(id, r);
    });
  }

 private:
  EventLoop& loop_;
};

struct Recorder final : measure::ViewerListener {
  std::vector<std::pair<RestartCause, Duration>> restarts;
  std::map<std::string, int> stalls, ends;
  int start_failed = 0, playing = 0;
  void OnViewerStarted(int, int) override {}
  void OnViewerStartFailed(int, const Error&) override { ++start_failed; }
  void OnViewerPlaying(int, Duration) override { ++playing; }
  void OnViewerStalled(int, RestartCause c) override { ++stalls[ToString(c)]; }
  void OnViewerEnded(int, EndReason r, Duration) override { ++ends[ToString(r)]; }
  void OnRestartScheduled(int, RestartCause c, Duration d) override { restarts.emplace_back(c, d); }
};

struct ViewerPoolTest : testing::Test {
  FakeClock clock_;
  EventLoop loop_{clock_};
  FakeEngine engine_{loop_};
  Recorder rec_;
  std::unique_ptr<ViewerPool> pool_;
  SteadyTime t0_ = clock_.Now();

  void Make(PoolOptions o) { pool_ = std::make_unique<ViewerPool>(loop_, engine_, rec_, o); }
  // Moves the fake clock to \a until, firing every timer (and posted task) on the way in order.
  void RunUntil(SteadyTime until) { test::StepUntil(loop_, clock_, until); }
  void RunFor(Duration d) { RunUntil(clock_.Now() + d); }
  void PlayOnStart() {
    engine_.on_start = [this](int id, int) {
      loop_.Post([this, id] {
        engine_.events->OnPlaying(id, milliseconds(5));
        engine_.events->OnSegment(id, 2.0);
      });
    };
  }
  // Keeps every running viewer fed with segments every \a period.
  std::unique_ptr<Timer> feeder_;
  void FeedSegments(Duration period) {
    feeder_ = loop_.CreateTimer([this, period] {
      for (int id : engine_.running) engine_.events->OnSegment(id, 2.0);
      feeder_->Arm(period);
    });
    feeder_->Arm(period);
  }
};

TEST_F(ViewerPoolTest, SeededRampStartsEachViewerAtItsExactTime) {
  PoolOptions o;
  o.clients = 20;
  o.first_id = 100;
  o.ramp_rate = 4;
  o.ramp_jitter = milliseconds(300);
  o.seed = 42;
  Make(o);
  // The pool's generator is seeded with o.seed and draws the schedule first.
  std::mt19937_64 rng(42);
  const auto expected = BuildRampSchedule(20, 100, 4, milliseconds(300), rng);
  pool_->Start();
  RunFor(seconds(10));
  ASSERT_EQ(engine_.starts.size(), 20u);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(engine_.starts[i].id, expected[i].viewer_id) << i;
    EXPECT_EQ(engine_.starts[i].at, t0_ + expected[i].offset) << i;
  }
  const measure::ViewerCounts c = pool_->Counts();
  const double span = ToSeconds(expected.back().offset - expected.front().offset);
  EXPECT_DOUBLE_EQ(c.ramp_rate_achieved, 19 / span);
  EXPECT_NEAR(c.ramp_rate_achieved, 4.0, 0.25);  // i/rate + U[0, 0.3 s): 19 gaps over ~4.75 s
  EXPECT_DOUBLE_EQ(c.ramp_progress, 1.0);
  EXPECT_EQ(c.starting, 20);
}

TEST_F(ViewerPoolTest, BackoffGrowsIsCappedAndLabelled) {
  PoolOptions o;
  o.clients = 1;
  o.backoff_cap = seconds(1);
  o.seed = 7;
  Make(o);
  engine_.on_start = [this](int id, int) { engine_.End(id, EndReason::kError); };
  pool_->Start();
  RunFor(seconds(8));
  ASSERT_GE(rec_.restarts.size(), 6u);
  // Same generator, same draws: one for the ramp slot, then one per restart.
  std::mt19937_64 rng(7);
  BuildRampSchedule(1, 0, 5, Duration::zero(), rng);
  for (size_t n = 0; n < rec_.restarts.size(); ++n) {
    EXPECT_EQ(rec_.restarts[n].first, RestartCause::kError);
    EXPECT_EQ(rec_.restarts[n].second, RestartBackoff(static_cast<int>(n), seconds(1), rng)) << n;
  }
  // 250 ms × 1.7^n ± 20 %, capped at 1 s (± 20 %) from the fourth restart on.
  EXPECT_GE(rec_.restarts[0].second, milliseconds(200));
  EXPECT_LE(rec_.restarts[0].second, milliseconds(300));
  for (size_t n = 3; n < rec_.restarts.size(); ++n) {
    EXPECT_GE(rec_.restarts[n].second, milliseconds(800));
    EXPECT_LE(rec_.restarts[n].second, milliseconds(1200));
  }
}

TEST_F(ViewerPoolTest, BackoffResetsAfterThirtySecondsOfHealthyRunning) {
  PoolOptions o;
  o.clients = 1;
  o.stall_timeout = seconds(100);
  Make(o);
  PlayOnStart();
  // Attempts 0-2 fail at once; attempt 3 runs 31 s, then ends; attempt 4 fails at once.
  engine_.on_start = [this](int id, int attempt) {
    engine_.events->OnSegment(id, 2);
    if (attempt == 3) {
      loop_.Post([this, id] { engine_.events->OnPlaying(id, milliseconds(1)); });
      return;
    }
    engine_.End(id, EndReason::kError);
  };
  pool_->Start();
  RunFor(seconds(5));
  ASSERT_EQ(rec_.restarts.size(), 3u);
  EXPECT_GT(rec_.restarts[2].second, milliseconds(500));  // 250 ms × 1.7² ≈ 722 ms ± 20 %
  FeedSegments(seconds(1));
  RunFor(seconds(31));
  engine_.End(0, EndReason::kEndOfStream);
  RunFor(milliseconds(1));
  ASSERT_EQ(rec_.restarts.size(), 4u);
  EXPECT_EQ(rec_.restarts[3].first, RestartCause::kEndOfStream);
  EXPECT_LE(rec_.restarts[3].second, milliseconds(300));  // back to 250 ms ± 20 %
}

TEST_F(ViewerPoolTest, WatchdogEndsStalledAndNeverStartingSessionsWithTheirCause) {
  PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  o.stall_timeout = seconds(6);
  o.startup_timeout = seconds(10);
  Make(o);
  // Viewer 0 plays once then never gets another segment; viewer 1 never plays.
  engine_.on_start = [this](int id, int attempt) {
    if (id == 0 && attempt == 0) {
      loop_.Post([this] { engine_.events->OnPlaying(0, milliseconds(3)); });
    }
  };
  pool_->Start();
  RunFor(seconds(6));
  EXPECT_TRUE(engine_.kills.empty());
  RunFor(seconds(2));  // past 6 s without a segment, at the next 1 s watchdog tick
  ASSERT_EQ(engine_.kills.size(), 1u);
  EXPECT_EQ(engine_.kills[0], 0);
  EXPECT_EQ(rec_.stalls["stall"], 1);
  RunFor(seconds(3));  // viewer 1: 10 s without playing
  ASSERT_EQ(engine_.kills.size(), 2u);
  EXPECT_EQ(engine_.kills[1], 1);
  EXPECT_EQ(rec_.stalls["startup_timeout"], 1);
  ASSERT_EQ(rec_.restarts.size(), 2u);
  EXPECT_EQ(rec_.restarts[0].first, RestartCause::kStall);
  EXPECT_EQ(rec_.restarts[1].first, RestartCause::kStartupTimeout);
  EXPECT_EQ(rec_.ends["killed"], 2);
  EXPECT_GE(pool_->Counts().stalled, 1);
}

TEST_F(ViewerPoolTest, SetTargetDownStopsHighestIdsFirstAndUpRampsNewOnes) {
  PoolOptions o;
  o.clients = 4;
  o.ramp_rate = 10;
  Make(o);
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(1));
  ASSERT_EQ(pool_->Counts().active, 4);
  pool_->SetTarget(2);
  RunFor(milliseconds(1));
  EXPECT_EQ(engine_.stops, (std::vector<int>{2, 3}));
  EXPECT_EQ(pool_->Counts().running, 2);
  EXPECT_EQ(pool_->StateOf(3), ViewerState::kDone);
  EXPECT_TRUE(rec_.restarts.empty());
  const SteadyTime up = clock_.Now();
  pool_->SetTarget(5);
  RunFor(seconds(1));
  ASSERT_EQ(engine_.starts.size(), 7u);
  // Ids 2, 3, 4 again, from now, at the ramp rate (no jitter): 0, 100, 200 ms.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(engine_.starts[4 + i].id, 2 + i);
    EXPECT_EQ(engine_.starts[4 + i].at, up + milliseconds(100 * i));
  }
  EXPECT_EQ(pool_->Counts().active, 5);
  EXPECT_EQ(pool_->target(), 5);
}

TEST_F(ViewerPoolTest, PauseHoldsStartsAndResumeKeepsTheRate) {
  PoolOptions o;
  o.clients = 6;
  o.ramp_rate = 2;  // every 500 ms
  Make(o);
  pool_->Start();
  RunFor(milliseconds(600));  // ids 0 (t=0) and 1 (t=500)
  ASSERT_EQ(engine_.starts.size(), 2u);
  pool_->PauseRamp(true);
  EXPECT_TRUE(pool_->ramp_paused());
  RunFor(seconds(5));
  EXPECT_EQ(engine_.starts.size(), 2u);
  const SteadyTime resumed = clock_.Now();
  pool_->PauseRamp(false);
  RunFor(seconds(3));
  ASSERT_EQ(engine_.starts.size(), 6u);
  // The next slot starts at once, the rest keep 500 ms apart.
  for (size_t i = 2; i < 6; ++i) {
    EXPECT_EQ(engine_.starts[i].at, resumed + milliseconds(500 * (static_cast<int>(i) - 2)));
  }
}

TEST_F(ViewerPoolTest, StartFailuresAreCountedAndRetried) {
  PoolOptions o;
  o.clients = 1;
  Make(o);
  engine_.fail_start = [](int, int attempt) { return attempt < 2; };
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(3));
  EXPECT_EQ(rec_.start_failed, 2);
  ASSERT_GE(rec_.restarts.size(), 2u);
  EXPECT_EQ(rec_.restarts[0].first, RestartCause::kStartFailed);
  EXPECT_EQ(pool_->Counts().active, 1);
}

TEST_F(ViewerPoolTest, ShutdownStopsThenKillsAtTheDeadline) {
  PoolOptions o;
  o.clients = 3;
  o.ramp_rate = 100;
  o.stop_deadline = seconds(7);
  Make(o);
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(1));
  engine_.ignore_stop = true;  // like FFmpeg ignoring SIGINT while no data flows
  bool done = false;
  const SteadyTime t = clock_.Now();
  pool_->Shutdown([&] { done = true; });
  EXPECT_EQ(engine_.stops.size(), 3u);
  RunUntil(t + seconds(7) - milliseconds(1));
  EXPECT_TRUE(engine_.kills.empty());
  EXPECT_FALSE(done);
  RunUntil(t + seconds(7));
  EXPECT_EQ(engine_.kills.size(), 3u);
  EXPECT_TRUE(done);
  EXPECT_EQ(rec_.ends["killed"], 3);
  EXPECT_EQ(pool_->abandoned(), 0);
  EXPECT_TRUE(rec_.restarts.empty());
}

TEST_F(ViewerPoolTest, ShutdownGivesUpOnASessionThatNeverEnds) {
  PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  o.stop_deadline = seconds(2);
  o.abandon_after = seconds(3);
  Make(o);
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(1));
  engine_.ignore_stop = true;
  engine_.ignore_kill = true;
  bool done = false;
  const SteadyTime t = clock_.Now();
  pool_->Shutdown([&] { done = true; });
  RunUntil(t + seconds(5) - milliseconds(1));
  EXPECT_EQ(engine_.kills.size(), 2u);
  EXPECT_FALSE(done);
  RunUntil(t + seconds(5));
  EXPECT_TRUE(done);
  EXPECT_EQ(pool_->abandoned(), 2);
  EXPECT_EQ(rec_.ends["killed"], 2);
  // A late end of a session given up on is ignored.
  engine_.events->OnEnded(0, EndReason::kKilled);
  EXPECT_EQ(rec_.ends["killed"], 2);
}

TEST_F(ViewerPoolTest, CompletedViewersAreNotRestartedAndTheLastOneSaysSo) {
  PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  int all_done = 0;
  o.on_all_completed = [&] { ++all_done; };
  Make(o);
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(1));
  engine_.End(0, EndReason::kCompleted);
  RunFor(seconds(10));
  EXPECT_EQ(pool_->StateOf(0), ViewerState::kDone);
  EXPECT_TRUE(rec_.restarts.empty());
  EXPECT_EQ(all_done, 0);  // viewer 1 still plays
  engine_.End(1, EndReason::kCompleted);
  RunFor(milliseconds(1));
  EXPECT_EQ(pool_->completed(), 2);
  EXPECT_EQ(all_done, 1);
  EXPECT_EQ(engine_.starts.size(), 2u);
  EXPECT_EQ(rec_.ends["completed"], 2);
}

TEST_F(ViewerPoolTest, ProgressWithoutSegmentsKeepsTheWatchdogQuiet) {
  // A player playing the last 30 s of a VOD from its buffer fetches nothing: not a stall.
  PoolOptions o;
  o.clients = 1;
  o.stall_timeout = seconds(6);
  Make(o);
  PlayOnStart();
  pool_->Start();
  std::unique_ptr<Timer> tick = loop_.CreateTimer([&] {
    engine_.events->OnProgress(0);
    tick->Arm(seconds(1));
  });
  tick->Arm(seconds(1));
  RunFor(seconds(30));
  EXPECT_TRUE(engine_.kills.empty());
  tick->Cancel();
  RunFor(seconds(8));
  EXPECT_EQ(engine_.kills.size(), 1u);
  EXPECT_EQ(rec_.stalls["stall"], 1);
}

TEST_F(ViewerPoolTest, SecondShutdownKillsAtOnce) {
  PoolOptions o;
  o.clients = 2;
  o.ramp_rate = 100;
  Make(o);
  PlayOnStart();
  pool_->Start();
  RunFor(seconds(1));
  engine_.ignore_stop = true;
  bool done = false;
  pool_->Shutdown([&] { done = true; });
  pool_->Shutdown(nullptr);
  EXPECT_EQ(engine_.kills.size(), 2u);
  RunFor(milliseconds(1));
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace hs::pool
