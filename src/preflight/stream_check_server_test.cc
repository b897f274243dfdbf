// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// CheckStream against real sockets: python3's http.server for files, and a one-shot server
// thread for checking exactly what we send.
#include "preflight/stream_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/run_command.h"
#include "core/unique_fd.h"

namespace hs::preflight {
namespace {

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, nullptr);
}

// A TCP socket bound to 127.0.0.1 on a kernel-chosen port, listening if \a listen_backlog > 0.
UniqueFd BoundSocket(int listen_backlog, int& port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if (!fd.Valid() || bind(fd.Get(), sa, len) != 0 || getsockname(fd.Get(), sa, &len) != 0 ||
      (listen_backlog > 0 && listen(fd.Get(), listen_backlog) != 0)) {
    return UniqueFd();
  }
  port = ntohs(addr.sin_port);
  return fd;
}

bool CanConnect(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return connect(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

// `python3 -m http.server` serving a directory on 127.0.0.1; killed and reaped by PID.
class PythonHttpServer {
 public:
  PythonHttpServer() = default;
  PythonHttpServer(const PythonHttpServer&) = delete;
  PythonHttpServer& operator=(const PythonHttpServer&) = delete;
  ~PythonHttpServer() { Stop(); }

  /// Returns "" once the server accepts connections, else why it did not start.
  std::string Start(const std::string& python, const std::string& dir) {
    { UniqueFd probe = BoundSocket(0, port_); }  // a free port (tiny race accepted)
    const std::string port = std::to_string(port_);
    std::vector<std::string> args = {python,      "-m",          "http.server", "--bind",
                                     "127.0.0.1", "--directory", dir,           port};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);  // SIGTERM must work even if the test blocked it
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    const int rc = posix_spawn(&pid_, python.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      pid_ = -1;
      return "posix_spawn failed";
    }
    for (int i = 0; i < 400; ++i) {  // up to 10 s
      if (CanConnect(port_)) return "";
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return "python3 -m http.server exited early";
      }
      SleepMs(25);
    }
    return "python3 -m http.server did not accept connections within 10 s";
  }

  int port() const { return port_; }

 private:
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) SleepMs(20);
    if (kill(pid_, 0) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

constexpr const char* kLive =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:42\n"
    "#EXTINF:2.000,\nseg_00042.ts\n#EXTINF:2.000,\nseg_00043.ts\n#EXTINF:2.000,\nseg_00044.ts\n";

class StreamCheckServerTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string python = FindInPath("python3");
    if (python.empty()) GTEST_SKIP() << "python3 not found: no local HTTP server to test against";
    char tmpl[] = "/tmp/hs-stream-check-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Write("live.m3u8", kLive);
    Write("master.m3u8",
          "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720,"
          "CODECS=\"avc1.64001f,mp4a.40.2\"\nv720/index.m3u8\n"
          "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n/v360/index.m3u8\n");
    Write("v720/index.m3u8",
          "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n../seg/a.ts\n#EXT-X-ENDLIST\n");
    Write("bad_master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nmissing/index.m3u8\n");
    Write("empty.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    Write("page.html", "<!DOCTYPE html>\n<html><body><h1>Welcome to nginx!</h1></body></html>\n");
    Write("redir/index.html", kLive);
    server_ = std::make_unique<PythonHttpServer>();
    ASSERT_EQ(server_->Start(python, dir_.string()), "");
  }
  void TearDown() override {
    server_.reset();  // stop it before its directory goes
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  void Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string Url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}/{}", server_->port(), path);
  }
  Result<StreamInfo> Check(const std::string& url) {
    StreamCheckOptions o;
    o.url = url;
    o.timeout = std::chrono::seconds(5);
    return CheckStream(o);
  }

  std::filesystem::path dir_;
  std::unique_ptr<PythonHttpServer> server_;
};

TEST_F(StreamCheckServerTest, LiveMediaPlaylist) {
  Result<StreamInfo> info = Check(Url("live.m3u8"));
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_FALSE(info->is_master);
  EXPECT_TRUE(info->live);
  EXPECT_EQ(info->segment_count, 3u);
  EXPECT_EQ(info->media_sequence, 42u);
  EXPECT_DOUBLE_EQ(info->target_duration_s, 2);
  EXPECT_EQ(info->first_segment_uri, Url("seg_00042.ts"));
  EXPECT_GT(info->fetch_time.count(), 0);
}

TEST_F(StreamCheckServerTest, MasterPlaylistAndFirstVariant) {
  Result<StreamInfo> info = Check(Url("master.m3u8"));
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_TRUE(info->is_master);
  ASSERT_EQ(info->variants.size(), 2u);
  EXPECT_EQ(info->variants[0].bandwidth, 2800000u);
  EXPECT_EQ(info->variants[1].uri, Url("v360/index.m3u8"));
  EXPECT_EQ(info->media_playlist_url, Url("v720/index.m3u8"));
  EXPECT_FALSE(info->live);
  EXPECT_DOUBLE_EQ(info->target_duration_s, 4);
  EXPECT_EQ(info->first_segment_uri, Url("seg/a.ts"));
}

TEST_F(StreamCheckServerTest, NotFound) {
  Result<StreamInfo> r = Check(Url("nope.m3u8"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kHttp);
  // http.server's own reason phrase is reported as sent.
  EXPECT_EQ(r.error().detail,
            fmt::format("playlist {} returned HTTP 404 File not found", Url("nope.m3u8")));
  r = Check(Url("bad_master.m3u8"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, fmt::format("variant playlist {} returned HTTP 404 File not found",
                                          Url("missing/index.m3u8")));
}

TEST_F(StreamCheckServerTest, HtmlAndEmptyPlaylist) {
  Result<StreamInfo> r = Check(Url("page.html"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail,
            fmt::format("playlist {}: not an HLS playlist (no #EXTM3U header); body starts with "
                        "\"<!DOCTYPE html> <html><body><h1>Welcome...\" (Content-Type text/html)",
                        Url("page.html")));
  r = Check(Url("empty.m3u8"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail,
            fmt::format("playlist {} is an empty media playlist (no segments)", Url("empty.m3u8")));
}

TEST_F(StreamCheckServerTest, FollowsRedirectsAndResolvesAgainstTheFinalUrl) {
  // http.server answers /redir with 301 Location: /redir/ and serves redir/index.html there.
  Result<StreamInfo> info = Check(Url("redir"));
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_EQ(info->effective_url, Url("redir/"));
  EXPECT_EQ(info->first_segment_uri, Url("redir/seg_00042.ts"));
}

TEST_F(StreamCheckServerTest, ResolveIpConnectsElsewhereWithoutDns) {
  StreamCheckOptions o;
  o.url = fmt::format("http://hls-swarm-origin.invalid:{}/live.m3u8", server_->port());
  o.resolve_ip = "127.0.0.1";
  o.timeout = std::chrono::seconds(5);
  Result<StreamInfo> info = CheckStream(o);
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_EQ(info->first_segment_uri,
            fmt::format("http://hls-swarm-origin.invalid:{}/seg_00042.ts", server_->port()));
}

TEST_F(StreamCheckServerTest, TlsToAPlainHttpServerIsATlsFailure) {
  Result<StreamInfo> r = Check(fmt::format("https://127.0.0.1:{}/live.m3u8", server_->port()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_NE(r.error().detail.find("TLS failure"), std::string::npos) << r.error().detail;
}

TEST(StreamCheckNetworkTest, ConnectionRefused) {
  int port = 0;
  UniqueFd bound = BoundSocket(0, port);  // bound but not listening: the kernel sends RST
  ASSERT_TRUE(bound.Valid());
  StreamCheckOptions o;
  o.url = fmt::format("http://127.0.0.1:{}/live.m3u8", port);
  Result<StreamInfo> r = CheckStream(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_EQ(r.error().detail.rfind(fmt::format("playlist {}: connection refused", o.url), 0), 0u)
      << r.error().detail;
}

TEST(StreamCheckNetworkTest, Timeout) {
  int port = 0;
  UniqueFd listener = BoundSocket(4, port);  // never accepted: the request gets no answer
  ASSERT_TRUE(listener.Valid());
  StreamCheckOptions o;
  o.url = fmt::format("http://127.0.0.1:{}/live.m3u8", port);
  o.timeout = std::chrono::milliseconds(300);
  Result<StreamInfo> r = CheckStream(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_EQ(
      r.error().detail,
      fmt::format("playlist {}: timed out after 0.3 s while waiting for the response", o.url));
}

TEST(StreamCheckNetworkTest, DnsFailure) {
  StreamCheckOptions o;
  o.url = "http://hls-swarm-preflight.invalid/live.m3u8";  // .invalid never resolves (RFC 2606)
  o.timeout = std::chrono::seconds(5);
  Result<StreamInfo> r = CheckStream(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  const std::string& d = r.error().detail;
  if (d.find("while resolving the host") != std::string::npos) {
    GTEST_SKIP() << "this machine's resolver times out instead of answering NXDOMAIN";
  }
  EXPECT_EQ(d.rfind("playlist http://hls-swarm-preflight.invalid/live.m3u8: DNS lookup failed", 0),
            0u)
      << d;
}

TEST(StreamCheckNetworkTest, MalformedUrl) {
  StreamCheckOptions o;
  o.url = "http://host:99999/x.m3u8";
  Result<StreamInfo> r = CheckStream(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  EXPECT_NE(r.error().detail.find("bad port \"99999\""), std::string::npos);
}

// Accepts one connection on a thread, records the request head, answers with \a response.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) {
    listener_ = BoundSocket(4, port_);
    thread_ = std::thread([this, r = std::move(response)] { Serve(r); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  /// Waits for the exchange to finish; then the request head as received.
  const std::string& Request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void Serve(const std::string& response) {
    pollfd p{listener_.Get(), POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return;
    UniqueFd conn(accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    char buf[4096];
    while (request_.find("\r\n\r\n") == std::string::npos) {
      p = {conn.Get(), POLLIN, 0};
      if (poll(&p, 1, 10000) != 1) return;
      const ssize_t n = read(conn.Get(), buf, sizeof buf);
      if (n <= 0) return;
      request_.append(buf, static_cast<size_t>(n));
    }
    if (write(conn.Get(), response.data(), response.size()) < 0) return;
  }

  UniqueFd listener_;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

TEST(StreamCheckRequestTest, SendsUserAgentHeadersAndKeepsHostWithResolve) {
  const std::string body = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n";
  OneShotServer server(fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", body.size(), body));
  StreamCheckOptions o;
  o.url = fmt::format("http://origin.example.invalid:{}/live/x.m3u8?t=1", server.port());
  o.resolve_ip = "127.0.0.1";
  o.user_agent = "hls-swarm/1.2.3";
  o.headers = {"X-Token: abc", "Authorization: Bearer t"};
  o.no_cache = true;
  o.timeout = std::chrono::seconds(5);
  Result<StreamInfo> info = CheckStream(o);
  ASSERT_TRUE(info) << info.error().detail;
  const std::string& req = server.Request();
  EXPECT_EQ(req.rfind("GET /live/x.m3u8?t=1 HTTP/1.1\r\n", 0), 0u) << req;
  for (const std::string& line :
       {fmt::format("Host: origin.example.invalid:{}", server.port()),
        std::string("User-Agent: hls-swarm/1.2.3/preflight"), std::string("X-Token: abc"),
        std::string("Authorization: Bearer t"),
        std::string("Cache-Control: no-cache, no-store, must-revalidate"),
        std::string("Pragma: no-cache")}) {
    EXPECT_NE(req.find("\r\n" + line + "\r\n"), std::string::npos) << line << "\n" << req;
  }
}

TEST(StreamCheckRequestTest, ReportsTheServersReasonPhrase) {
  OneShotServer server(
      "HTTP/1.1 403 Token Expired\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  StreamCheckOptions o;
  o.url = fmt::format("http://127.0.0.1:{}/x.m3u8", server.port());
  o.timeout = std::chrono::seconds(5);
  Result<StreamInfo> r = CheckStream(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, fmt::format("playlist {} returned HTTP 403 Token Expired", o.url));
}

}  // namespace
}  // namespace hs::preflight
