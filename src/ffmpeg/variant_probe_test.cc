// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The ffprobe run of -variant highest|lowest on the event loop, with shell scripts in place of
// ffprobe (real processes and pipes; exits polled as the tests have no signalfd).
#include "ffmpeg/variant_probe.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/fs.h"

namespace hs::ffmpeg {
namespace {

using std::chrono::milliseconds;

struct ProbeOnLoopTest : testing::Test {
  RealClock clock_;
  EventLoop loop_{clock_};
  ChildReaper reaper_;
  std::unique_ptr<Timer> reap_timer_;
  std::string dir_;

  void SetUp() override {
    auto d = MakeTempDir("hs-probe-test-");
    ASSERT_TRUE(d);
    dir_ = *d;
    reap_timer_ = loop_.CreateTimer([this] {
      reaper_.ReapAll();
      reap_timer_->Arm(milliseconds(5));
    });
    reap_timer_->Arm(milliseconds(5));
  }
  void TearDown() override { RemoveTree(dir_); }

  // A fake ffprobe: a /bin/sh script with \a body; its argv is written to dir_/argv.
  std::string Script(const std::string& body) {
    const std::string path = dir_ + "/ffprobe";
    std::ofstream f(path);
    f << "#!/bin/sh\nprintf '%s\\n' \"$@\" > " << dir_ << "/argv\n" << body << "\n";
    f.close();
    ::chmod(path.c_str(), 0755);
    return path;
  }
};

TEST_F(ProbeOnLoopTest, ChoosesTheProgramFromTheJsonAndPassesTheTap) {
  ProbeCommand cmd;
  cmd.ffprobe = Script(
      "echo 'a warning' >&2; echo '{\"programs\": [{\"program_id\": 0, \"tags\": "
      "{\"variant_bitrate\": \"800000\"}}, {\"program_id\": 1, \"tags\": {\"variant_bitrate\": "
      "\"2800000\"}}]}'");
  cmd.url = "http://o/master.m3u8";
  cmd.user_agent = "ua/client-0/probe";
  cmd.http_proxy = "http://127.0.0.1:9";
  auto highest = ProbeVariantOnLoop(loop_, reaper_, nullptr, cmd, true, milliseconds(5000));
  ASSERT_TRUE(highest) << highest.error().detail;
  EXPECT_EQ(*highest, 1);
  auto lowest = ProbeVariantOnLoop(loop_, reaper_, nullptr, cmd, false, milliseconds(5000));
  ASSERT_TRUE(lowest) << lowest.error().detail;
  EXPECT_EQ(*lowest, 0);
  std::ifstream argv(dir_ + "/argv");
  std::string all((std::istreambuf_iterator<char>(argv)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("-http_proxy\nhttp://127.0.0.1:9\n"), std::string::npos) << all;
  EXPECT_NE(all.find("-user_agent\nua/client-0/probe\n"), std::string::npos) << all;
  EXPECT_EQ(reaper_.watched(), 0u);
}

TEST_F(ProbeOnLoopTest, TimesOutAndKillsAHungProbe) {
  ProbeCommand cmd;
  cmd.ffprobe = Script("exec sleep 30");
  cmd.url = "http://o/master.m3u8";
  const SteadyTime t0 = clock_.Now();
  auto r = ProbeVariantOnLoop(loop_, reaper_, nullptr, cmd, true, milliseconds(300));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("timed out after 300 ms"), std::string::npos) << r.error().detail;
  EXPECT_LT(clock_.Now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(reaper_.watched(), 0u);
}

TEST_F(ProbeOnLoopTest, FailuresAreReported) {
  ProbeCommand cmd;
  cmd.ffprobe = Script("echo 'Server returned 404 Not Found' >&2; exit 1");
  cmd.url = "http://o/master.m3u8";
  EXPECT_FALSE(ProbeVariantOnLoop(loop_, reaper_, nullptr, cmd, true, milliseconds(5000)));
  cmd.ffprobe = "";
  auto missing = ProbeVariantOnLoop(loop_, reaper_, nullptr, cmd, true, milliseconds(5000));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("ffprobe not found"), std::string::npos);
}

}  // namespace
}  // namespace hs::ffmpeg
