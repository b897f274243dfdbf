// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/stages.h"

#include <gtest/gtest.h>

#include "config/cli_test_util.h"

namespace hs::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(StagesTest, ParsesDurationsAndTargets) {
  auto st = ParseStages("2m:500,10m:500,20s:2000,5m:2000,1m:0");
  ASSERT_TRUE(st) << st.error().detail;
  ASSERT_EQ(st->size(), 5u);
  EXPECT_EQ((*st)[0].duration, milliseconds(120000));
  EXPECT_EQ((*st)[2].target, 2000);
  const StagePlan plan(*st);
  EXPECT_EQ(plan.TotalDuration(), milliseconds((120 + 600 + 20 + 300 + 60) * 1000));
  EXPECT_EQ(plan.MaxTarget(), 2000);
  EXPECT_DOUBLE_EQ(plan.MaxRate(), 75);  // 1500 viewers in 20 s
}

TEST(StagesTest, BadStagesAreUsageErrors) {
  for (const char* bad : {"", "10s", "10:5", "10s:-1", "10s:x", "10s:100001", "10s:5,,", "0s:5"}) {
    auto st = ParseStages(bad);
    EXPECT_FALSE(st) << bad;
    if (!st) {
      EXPECT_EQ(st.error().code, ErrorCode::kUsage);
    }
  }
}

TEST(StagesTest, TargetIsLinearBetweenStages) {
  const StagePlan plan(*ParseStages("10s:100,5s:100,0s:300,10s:0"));
  EXPECT_EQ(plan.TargetAt(milliseconds(0)), 0);
  EXPECT_EQ(plan.TargetAt(seconds(1)), 10);
  EXPECT_EQ(plan.TargetAt(milliseconds(5050)), 51);  // 50.5 rounds up
  EXPECT_EQ(plan.TargetAt(seconds(10)), 100);
  EXPECT_EQ(plan.TargetAt(seconds(12)), 100);  // hold
  EXPECT_EQ(plan.TargetAt(seconds(15)), 300);  // step (0 s stage)
  EXPECT_EQ(plan.TargetAt(seconds(20)), 150);  // ramp down 300 → 0 over 10 s
  EXPECT_EQ(plan.TargetAt(seconds(30)), 0);    // after the end: the last target
  EXPECT_EQ(plan.StageAt(seconds(12)), 1u);
  EXPECT_EQ(plan.StageAt(seconds(16)), 3u);
  EXPECT_EQ(plan.StageAt(seconds(25)), 4u);
  EXPECT_EQ(plan.Describe(seconds(12)), "stage 2/4 hold 100, 3s left");
  EXPECT_EQ(plan.Describe(seconds(1)), "stage 1/4 ramp 0→100, 9s left");
  EXPECT_EQ(plan.Describe(seconds(25)), "stages done");
}

// Following NextChangeAfter from the start visits every target change, each at the first
// millisecond where TargetAt changes: what the driver does with its timer.
TEST(StagesTest, NextChangeAfterHitsEveryChangeExactly) {
  const StagePlan plan(*ParseStages("3s:7,2s:7,0s:20,1s:20,4s:2,1s:9"));
  milliseconds t{0};
  int changes = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    auto next = plan.NextChangeAfter(t);
    if (!next) break;
    ASSERT_GT(*next, t);
    // No change between t and next, a change at next.
    for (milliseconds u = t + milliseconds(1); u < *next; u += milliseconds(1))
      ASSERT_EQ(plan.TargetAt(u), plan.TargetAt(t)) << u.count();
    ASSERT_NE(plan.TargetAt(*next), plan.TargetAt(t)) << next->count();
    t = *next;
    ++changes;
  }
  // 7 up, 1 step, 18 down, 7 up.
  EXPECT_EQ(changes, 7 + 1 + 18 + 7);
  EXPECT_EQ(plan.TargetAt(t), 9);
}

TEST_F(CliTest, StagesSetClientsAndDuration) {
  Config c = Ok({"-stages", "10s:20,20s:20,5s:0", kUrl});
  ASSERT_EQ(c.stages.size(), 3u);
  EXPECT_EQ(c.clients, 20);
  EXPECT_EQ(c.duration, milliseconds(35000));
  c = Ok({"-stages", "10s:20,20s:20", "-duration", "15s", kUrl});
  EXPECT_EQ(c.duration, milliseconds(15000));
  env_["STAGES"] = "1m:5";
  env_["THRESHOLDS"] = "errors_rate<1%; segment_ttfb_p99<2s";
  c = Ok({kUrl});
  EXPECT_EQ(c.clients, 5);
  ASSERT_EQ(c.thresholds.size(), 2u);
  EXPECT_EQ(c.thresholds[1].figure, "segment_ttfb_p99");
  CliOutcome out = Parse({"-stages", "10s:20,abc", kUrl});
  EXPECT_EQ(out.action, Action::kUsageError);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].find("stage 2 \"abc\": wants DURATION:TARGET"), std::string::npos)
      << out.errors[0];
}

}  // namespace
}  // namespace hs::config
