// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/origin_plan.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "origin/nginx_conf.h"

extern char** environ;

namespace hs::origin {
namespace {

namespace fs = std::filesystem;

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/hs-origin-test-XXXXXX", base != nullptr ? base : "/tmp");
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScopedTempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Touch(const std::string& path, const std::string& content = "x") {
  std::ofstream(path) << content;
}

// Runs \a argv with stdout/stderr to /dev/null; returns the exit code, or -1 if it could not
// be started or did not finish within \a limit (it is then killed).
int RunQuietly(const std::vector<std::string>& argv, std::chrono::seconds limit) {
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct OriginPlanTest : testing::Test {
  Result<OriginPlan> Prepare(const std::string& profile_name, const OriginListen& listen = {}) {
    return PrepareOrigin(FindOriginProfile(profile_name).value(), listen, dir_.path() + "/origin",
                         "/usr/bin/ffmpeg", "/usr/sbin/nginx");
  }
  ScopedTempDir dir_;
};

TEST_F(OriginPlanTest, PlanIsPureAndConsistent) {
  const OriginPlan plan = PlanOrigin(FindOriginProfile("abr").value(), {"0.0.0.0", 8080}, "/srv/o",
                                     "ffmpeg", "nginx", false);
  EXPECT_EQ(plan.dir, "/srv/o");
  EXPECT_EQ(plan.hls_dir, "/srv/o/hls");
  EXPECT_EQ(plan.nginx_conf_path, "/srv/o/nginx.conf");
  EXPECT_EQ(plan.stream_url, "http://127.0.0.1:8080/master.m3u8");
  EXPECT_EQ(plan.health_url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(plan.status_url, "http://127.0.0.1:8080/nginx_status");
  EXPECT_EQ(plan.access_log_path, "/srv/o/access.log");
  EXPECT_EQ(plan.error_log_path, "/srv/o/error.log");
  EXPECT_EQ(plan.pid_path, "/srv/o/nginx.pid");
  EXPECT_EQ(plan.nginx_argv.front(), "nginx");
  EXPECT_EQ(plan.generator_argv.front(), "ffmpeg");
  EXPECT_EQ(plan.generator_argv.back(), "/srv/o/hls/%v/stream.m3u8");

  const OriginPlan v6 = PlanOrigin(FindOriginProfile("default").value(), {"::", 9000}, "/srv/o",
                                   "ffmpeg", "nginx", false);
  EXPECT_EQ(v6.stream_url, "http://[::1]:9000/stream.m3u8");
}

TEST_F(OriginPlanTest, PrepareWritesConfigAndDirectories) {
  ASSERT_FALSE(dir_.path().empty());
  Result<OriginPlan> plan = Prepare("default", {"127.0.0.1", 18081});
  ASSERT_TRUE(plan.has_value()) << plan.error().detail;
  EXPECT_EQ(plan->dir, dir_.path() + "/origin");
  EXPECT_TRUE(fs::is_directory(plan->hls_dir));
  EXPECT_TRUE(fs::is_directory(plan->dir + "/tmp"));
  EXPECT_TRUE(fs::is_regular_file(plan->access_log_path));
  const std::string conf = ReadFile(plan->nginx_conf_path);
  EXPECT_NE(conf.find("listen 127.0.0.1:18081"), std::string::npos);
  EXPECT_NE(conf.find(fmt::format("root \"{}\";", plan->hls_dir)), std::string::npos);
  EXPECT_EQ(conf.find("user root") != std::string::npos, ::geteuid() == 0);
  EXPECT_EQ(plan->stream_url, "http://127.0.0.1:18081/stream.m3u8");
  EXPECT_EQ(plan->generator_argv.back(), plan->hls_dir + "/stream.m3u8");
  EXPECT_EQ(plan->nginx_argv[2], plan->dir + "/");
  const auto perms = fs::status(plan->hls_dir).permissions();
  EXPECT_NE(perms & fs::perms::others_exec, fs::perms::none);
}

TEST_F(OriginPlanTest, PrepareRemovesStaleStreamFilesAndTruncatesTheLog) {
  const std::string hls = dir_.path() + "/origin/hls";
  fs::create_directories(hls + "/720p");
  for (const char* f :
       {"/stream.m3u8", "/seg_00001.ts", "/stream.m3u8.tmp", "/720p/stream.m3u8", "/keep.txt"}) {
    Touch(hls + f);
  }
  Touch(dir_.path() + "/origin/access.log", "old line\n");
  Result<OriginPlan> plan = Prepare("abr");
  ASSERT_TRUE(plan.has_value()) << plan.error().detail;
  EXPECT_FALSE(fs::exists(hls + "/stream.m3u8"));
  EXPECT_FALSE(fs::exists(hls + "/seg_00001.ts"));
  EXPECT_FALSE(fs::exists(hls + "/stream.m3u8.tmp"));
  EXPECT_FALSE(fs::exists(hls + "/720p/stream.m3u8"));
  EXPECT_TRUE(fs::exists(hls + "/keep.txt"));
  EXPECT_EQ(fs::file_size(plan->access_log_path), 0u);
}

TEST_F(OriginPlanTest, PrepareRejectsBadInput) {
  EXPECT_EQ(Prepare("default", {"127.0.0.1", 0}).error().code, ErrorCode::kUsage);
  EXPECT_EQ(Prepare("default", {"127.0.0.1", 65536}).error().code, ErrorCode::kUsage);
  EXPECT_EQ(Prepare("default", {"localhost", 8080}).error().code, ErrorCode::kUsage);
  const OriginProfile def = FindOriginProfile("default").value();
  for (const char* bad : {"", "/tmp/a$b", "/tmp/a;b", "/tmp/a\"b", "/tmp/a\nb"}) {
    Result<OriginPlan> r = PrepareOrigin(def, {}, bad, "ffmpeg", "nginx");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUsage) << bad;
  }
  OriginProfile broken = def;
  broken.renditions[0].video_kbps = broken.renditions[0].maxrate_kbps + 1;
  EXPECT_EQ(PrepareOrigin(broken, {}, dir_.path(), "ffmpeg", "nginx").error().code,
            ErrorCode::kUsage);
  EXPECT_FALSE(fs::exists(dir_.path() + "/nginx.conf"));
}

TEST_F(OriginPlanTest, PrepareReportsIoErrors) {
  Touch(dir_.path() + "/file");
  Result<OriginPlan> r = Prepare("default");
  ASSERT_TRUE(r.has_value());
  r = PrepareOrigin(FindOriginProfile("default").value(), {}, dir_.path() + "/file/sub", "ffmpeg",
                    "nginx");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST_F(OriginPlanTest, FindNginxSearchesPathInOrder) {
  const std::string a = dir_.path() + "/a";
  const std::string b = dir_.path() + "/b";
  fs::create_directories(a);
  fs::create_directories(b);
  Touch(a + "/nginx");  // not executable: skipped
  Touch(b + "/nginx", "#!/bin/sh\n");
  ::chmod((b + "/nginx").c_str(), 0755);
  Result<std::string> found = FindNginxIn(fmt::format("::{}:{}", a, b));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, b + "/nginx");
  Result<std::string> fallback = FindNginxIn(a);
  if (fs::exists("/usr/sbin/nginx")) {
    EXPECT_EQ(fallback.value_or(""), "/usr/sbin/nginx");
  } else if (!fallback.has_value()) {
    EXPECT_EQ(fallback.error().code, ErrorCode::kNotFound);
  }
}

// Real process: the rendered config must pass `nginx -t` for every profile.
TEST_F(OriginPlanTest, RenderedConfigPassesNginxTest) {
  Result<std::string> nginx = FindNginx();
  if (!nginx.has_value()) GTEST_SKIP() << nginx.error().detail;
  for (const OriginProfile& p : OriginProfiles()) {
    SCOPED_TRACE(p.name);
    Result<OriginPlan> plan =
        PrepareOrigin(p, {"127.0.0.1", 18082}, dir_.path() + "/" + p.name, "ffmpeg", *nginx);
    ASSERT_TRUE(plan.has_value()) << plan.error().detail;
    std::vector<std::string> argv = plan->nginx_argv;
    argv.insert(argv.begin() + 1, "-t");
    EXPECT_EQ(RunQuietly(argv, std::chrono::seconds(10)), 0)
        << ReadFile(plan->error_log_path) << "\n"
        << ReadFile(plan->nginx_conf_path);
  }
}

}  // namespace
}  // namespace hs::origin
