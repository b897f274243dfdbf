// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// A real FFmpeg through the tap: checks that FFmpeg (5.1 on Debian 12) sends the HLS demuxer's
// playlist and segment requests through -http_proxy, attributed and classified correctly.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/fs.h"
#include "core/io.h"
#include "core/run_command.h"
#include "tap/proxy_server.h"
#include "tap/tap_test_util.h"

extern char** environ;

namespace hs::tap {
namespace {

class Recorder : public TapListener {
 public:
  void OnRequestComplete(const RequestRecord& r) override { requests.push_back(r); }
  void OnTunnelClosed(const TunnelRecord&) override {}
  std::vector<RequestRecord> requests;
};

// One child process, stopped (SIGKILL) and reaped by PID when destroyed.
class Child {
 public:
  ~Child() { Kill(); }
  bool Spawn(const std::vector<std::string>& args, const std::string& log_path) {
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) pid_ = -1;
    return rc == 0;
  }
  /// True once the child has exited (and was reaped); status in exit_code().
  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return true;
  }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

class TapFfmpegTest : public testing::Test {
 protected:
  void SetUp() override {
    ffmpeg_ = FindInPath("ffmpeg");
    if (ffmpeg_.empty()) GTEST_SKIP() << "ffmpeg not found";
    char tmpl[] = "/tmp/hs-tap-ffmpeg-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Three 2 s segments of a tiny H.264 stream, VOD (#EXT-X-ENDLIST).
    Result<CommandOutput> gen = RunCommand({ffmpeg_,
                                            "-hide_banner",
                                            "-nostdin",
                                            "-loglevel",
                                            "error",
                                            "-f",
                                            "lavfi",
                                            "-i",
                                            "testsrc2=size=160x90:rate=10",
                                            "-t",
                                            "6",
                                            "-c:v",
                                            "libx264",
                                            "-g",
                                            "10",
                                            "-f",
                                            "hls",
                                            "-hls_time",
                                            "2",
                                            "-hls_list_size",
                                            "0",
                                            "-hls_segment_filename",
                                            dir_ + "/seg%d.ts",
                                            dir_ + "/stream.m3u8"},
                                           std::chrono::seconds(60));
    if (!gen || gen->exit_code != 0) {
      GTEST_SKIP() << "ffmpeg cannot make a test stream: " << (gen ? gen->output : "");
    }
    origin_ = std::make_unique<test::TestOrigin>(loop_);
    ASSERT_TRUE(origin_->Listen());
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      const bool playlist = entry.path().extension() == ".m3u8";
      const std::string body = ReadSmallFile(entry.path().string(), 16 << 20);
      files_[name] = body.size();
      origin_->Route("/" + name,
                     {200, body, playlist ? "application/vnd.apple.mpegurl" : "video/mp2t"});
    }
    tap_ = std::make_unique<TapServer>(loop_, TapOptions{}, &recorder_);
    ASSERT_TRUE(tap_->Listen());
  }

  void TearDown() override {
    tap_.reset();
    origin_.reset();
    if (!dir_.empty()) RemoveTree(dir_);
  }

  RealClock clock_;
  EventLoop loop_{clock_};
  std::string ffmpeg_;
  std::string dir_;
  std::map<std::string, size_t> files_;
  Recorder recorder_;
  std::unique_ptr<test::TestOrigin> origin_;
  std::unique_ptr<TapServer> tap_;
};

TEST_F(TapFfmpegTest, HlsRequestsGoThroughTheTapAttributedAndClassified) {
  Child ffmpeg;
  const std::string log = dir_ + "/ffmpeg.log";
  ASSERT_TRUE(ffmpeg.Spawn({ffmpeg_,
                            "-hide_banner",
                            "-nostdin",
                            "-loglevel",
                            "info",
                            "-user_agent",
                            "x/client-3",
                            "-http_proxy",
                            tap_->ProxyUrl(),
                            "-rw_timeout",
                            "5000000",
                            "-i",
                            origin_->Url("/stream.m3u8"),
                            "-map",
                            "0",
                            "-c",
                            "copy",
                            "-f",
                            "null",
                            "-"},
                           log));
  const bool exited = test::RunUntil(
      loop_, [&] { return ffmpeg.Exited(); }, std::chrono::seconds(30));
  ffmpeg.Kill();
  ASSERT_TRUE(exited) << ReadSmallFile(log);
  EXPECT_EQ(ffmpeg.exit_code(), 0) << ReadSmallFile(log);

  // Every request the origin saw came through the tap and produced one record.
  EXPECT_EQ(recorder_.requests.size(), origin_->log().size());
  int playlists = 0;
  int segments = 0;
  for (const RequestRecord& r : recorder_.requests) {
    SCOPED_TRACE(r.path);
    EXPECT_EQ(r.viewer_id, 3);
    EXPECT_EQ(r.error, RequestError::kNone);
    EXPECT_TRUE(r.status == 206 || r.status == 200) << r.status;
    const std::string name = r.path.substr(r.path.rfind('/') + 1);
    EXPECT_EQ(r.body_bytes, files_[name]);
    if (r.kind == RequestKind::kMediaPlaylist) ++playlists;
    if (r.kind == RequestKind::kSegment) {
      ++segments;
      EXPECT_NEAR(r.media_duration_s, 2.0, 0.01);
    }
  }
  EXPECT_GE(playlists, 1);
  EXPECT_EQ(segments, 3);
  for (const auto& req : origin_->log()) EXPECT_EQ(req.user_agent, "x/client-3");
  // What FFmpeg 5.1 does through a proxy (see the report): the probe's playlist request on its
  // own "Connection: close" connection, then the demuxer's requests kept alive.
  std::string shape;
  for (size_t i = 0; i < recorder_.requests.size(); ++i) {
    shape +=
        fmt::format(" {}:{}{}", ToString(recorder_.requests[i].kind), origin_->log()[i].connection,
                    recorder_.requests[i].reused_connection ? "r" : "");
  }
  RecordProperty("requests", shape);
  std::cout << "[ ffmpeg    ] requests (kind:origin connection, r = reused):" << shape << "\n";
  EXPECT_EQ(tap_->stats().request_errors, 0u);
}

}  // namespace
}  // namespace hs::tap
