// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The scraper against a small HTTP server that runs on the test's own EventLoop: if the scraper
// ever blocked the loop, the server could not answer and these tests would time out.
#include "originmon/scraper.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/io.h"
#include "core/unique_fd.h"

namespace hs::originmon {
namespace {

using std::chrono::milliseconds;

// A TCP socket bound to 127.0.0.1 on a kernel-chosen port (stored in \a port); listening if
// \a backlog > 0. Bound but not listening, it makes a port that refuses connections.
UniqueFd BoundSocket(int backlog, int& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if (!fd.Valid() || ::bind(fd.Get(), sa, len) != 0 || ::getsockname(fd.Get(), sa, &len) != 0 ||
      (backlog > 0 && ::listen(fd.Get(), backlog) != 0)) {
    return UniqueFd();
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// One request per connection, answered by a handler, then closed.
class LoopHttpServer {
 public:
  struct Request {
    std::string path;
    std::string head;  // request line and headers
  };
  struct Response {
    int status = 200;
    std::string body;
    bool hang = false;  // read the request, never answer
  };
  using Handler = std::function<Response(const Request&)>;

  LoopHttpServer(EventLoop& loop, Handler handler) : loop_(loop), handler_(std::move(handler)) {}

  bool Listen() {
    listen_ = BoundSocket(64, port_);
    if (!listen_.Valid()) return false;
    accept_watch_ = loop_.Watch(listen_.Get(), EPOLLIN, [this](std::uint32_t) { OnAccept(); });
    return accept_watch_ != nullptr;
  }
  std::string Url(std::string_view path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }
  const std::vector<Request>& requests() const { return requests_; }

 private:
  struct Conn {
    UniqueFd fd;
    std::unique_ptr<FileWatch> watch;
    std::string in;
    std::string out;
    std::size_t sent = 0;
    bool answered = false;
    bool closing = false;
  };

  void OnAccept() {
    for (;;) {
      UniqueFd fd(::accept4(listen_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.Valid()) return;
      auto conn = std::make_unique<Conn>();
      Conn* c = conn.get();
      c->watch =
          loop_.Watch(fd.Get(), EPOLLIN, [this, c](std::uint32_t ev) { OnConnEvent(c, ev); });
      c->fd = std::move(fd);
      conns_.push_back(std::move(conn));
    }
  }

  void OnConnEvent(Conn* c, std::uint32_t events) {
    if (c->closing) return;
    if ((events & EPOLLOUT) != 0) return Flush(c);
    char buf[4096];
    const IoResult r = ReadSome(c->fd.Get(), buf, sizeof buf);
    if (r.status == IoStatus::kRetry) return;
    if (r.status != IoStatus::kOk) return Close(c);
    c->in.append(buf, r.bytes);
    const std::size_t end = c->in.find("\r\n\r\n");
    if (c->answered || end == std::string::npos) return;
    c->answered = true;
    Request req{"", c->in.substr(0, end)};
    const std::size_t sp = req.head.find(' ');
    req.path = req.head.substr(sp + 1, req.head.find(' ', sp + 1) - sp - 1);
    requests_.push_back(req);
    const Response resp = handler_(req);
    if (resp.hang) return;  // keep reading, so the client's close is noticed
    c->out = fmt::format(
        "HTTP/1.1 {} X\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n"
        "Connection: close\r\n\r\n{}",
        resp.status, resp.body.size(), resp.body);
    c->watch->SetEvents(EPOLLOUT);
    Flush(c);
  }

  void Flush(Conn* c) {
    while (c->sent < c->out.size()) {
      const IoResult r = WriteSome(c->fd.Get(), c->out.data() + c->sent, c->out.size() - c->sent);
      if (r.status == IoStatus::kRetry) return;
      if (r.status != IoStatus::kOk) return Close(c);
      c->sent += r.bytes;
    }
    Close(c);
  }

  // Never destroy a connection inside its own callback: queue it.
  void Close(Conn* c) {
    c->closing = true;
    loop_.Post([this, c] {
      std::erase_if(conns_, [c](const std::unique_ptr<Conn>& p) { return p.get() == c; });
    });
  }

  EventLoop& loop_;
  Handler handler_;
  UniqueFd listen_;
  std::unique_ptr<FileWatch> accept_watch_;
  int port_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Request> requests_;
};

// Each scrape: both CPUs +1.5 s idle and +0.5 s user (25 % busy), eth0 +1000 bytes each way.
std::string NodeBody(int n) {
  return fmt::format(
      "# TYPE node_cpu_seconds_total counter\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"idle\"}} {0}\n"
      "node_cpu_seconds_total{{cpu=\"0\",mode=\"user\"}} {1}\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"idle\"}} {0}\n"
      "node_cpu_seconds_total{{cpu=\"1\",mode=\"user\"}} {1}\n"
      "node_memory_MemTotal_bytes 8e+09\n"
      "node_memory_MemAvailable_bytes 6e+09\n"
      "node_network_receive_bytes_total{{device=\"eth0\"}} {2}\n"
      "node_network_receive_bytes_total{{device=\"lo\"}} {3}\n"
      "node_network_transmit_bytes_total{{device=\"eth0\"}} {2}\n",
      1000 + 1.5 * n, 100 + 0.5 * n, 1e6 + 1000.0 * n, 1e9 * n);
}

std::string NginxBody(int n) {
  return fmt::format("nginx_connections_active 3\nnginx_http_requests_total {}\nnginx_up 1\n",
                     100 + 10 * n);
}

struct ScraperTest : testing::Test {
  void SetUp() override { ASSERT_TRUE(server_.Listen()); }

  LoopHttpServer::Response Serve(const LoopHttpServer::Request& r) {
    if (r.path == "/node") return {200, NodeBody(node_hits_++)};
    if (r.path == "/nginx") return {200, NginxBody(nginx_hits_++)};
    if (r.path == "/flaky")
      return flaky_hits_++ == 0 ? LoopHttpServer::Response{500, "oops"}
                                : LoopHttpServer::Response{200, NginxBody(flaky_hits_)};
    if (r.path == "/html") return {200, "<html><body>It works!</body></html>\n"};
    if (r.path == "/empty") return {200, "# nothing here\n"};
    if (r.path == "/nginx-down") return {200, "# TYPE nginx_up gauge\nnginx_up 0\n"};
    if (r.path == "/big") return {200, std::string(5000, '\n') + "a 1\n"};
    if (r.path == "/hang") return {200, "", true};
    return {404, "not found\n"};
  }

  ScraperOptions Options(std::vector<std::string> urls) {
    ScraperOptions o;
    o.urls = std::move(urls);
    o.interval = milliseconds(100);
    o.timeout = milliseconds(1000);
    return o;
  }

  // Runs the loop until \a done() or \a limit passes; false on the latter.
  bool RunUntil(const std::function<bool()>& done, Duration limit = std::chrono::seconds(5)) {
    const SteadyTime end = clock_.Now() + limit;
    while (!done()) {
      if (clock_.Now() >= end) return false;
      loop_.RunOnce(milliseconds(10));
    }
    return true;
  }
  void RunFor(Duration d) {
    const SteadyTime end = clock_.Now() + d;
    while (clock_.Now() < end) loop_.RunOnce(milliseconds(10));
  }

  RealClock clock_;
  EventLoop loop_{clock_};
  int node_hits_ = 0;
  int nginx_hits_ = 0;
  int flaky_hits_ = 0;
  LoopHttpServer server_{loop_, [this](const LoopHttpServer::Request& r) { return Serve(r); }};
};

TEST_F(ScraperTest, ScrapesNodeAndNginxExportersAndMergesTheirFigures) {
  Scraper scraper(loop_, Options({server_.Url("/node"), server_.Url("/nginx")}));
  ASSERT_TRUE(scraper.Start().has_value());
  ASSERT_TRUE(RunUntil([&] {
    const OriginStatus s = scraper.Current();
    return s.urls[0].scrapes_ok >= 3 && s.urls[1].scrapes_ok >= 3;
  }));
  const OriginStatus s = scraper.Current();
  ASSERT_EQ(s.urls.size(), 2u);
  EXPECT_EQ(s.urls[0].url, server_.Url("/node"));
  EXPECT_TRUE(s.urls[0].ok);
  EXPECT_TRUE(s.urls[1].ok);
  EXPECT_EQ(s.urls[0].last_error, "");
  EXPECT_TRUE(s.urls[0].last_success.has_value());
  EXPECT_EQ(s.scrape_errors_total, 0u);
  const OriginFigures& f = s.figures;
  ASSERT_TRUE(f.cpu_utilisation_percent.has_value());
  EXPECT_NEAR(*f.cpu_utilisation_percent, 25.0, 1e-9);
  EXPECT_EQ(f.cpu_count, 2.0);
  EXPECT_EQ(f.memory_used_bytes, 2e9);
  EXPECT_EQ(f.memory_used_percent, 25.0);
  EXPECT_EQ(f.nginx_connections_active, 3.0);
  // 10 requests and 1000 bytes per scrape interval (~0.1 s) whatever the exact timing; `lo`
  // (1e9 per scrape) would dwarf eth0 if it were counted.
  ASSERT_TRUE(f.nginx_requests_per_second.has_value());
  EXPECT_GT(*f.nginx_requests_per_second, 10.0);
  EXPECT_LT(*f.nginx_requests_per_second, 1000.0);
  ASSERT_TRUE(f.network_receive_bytes_per_second.has_value());
  EXPECT_GT(*f.network_receive_bytes_per_second, 1000.0);
  EXPECT_LT(*f.network_receive_bytes_per_second, 1e5);
  EXPECT_TRUE(f.network_transmit_bytes_per_second.has_value());
  ASSERT_FALSE(server_.requests().empty());
  const std::string& head = server_.requests()[0].head;
  EXPECT_NE(head.find("Accept: text/plain;version=0.0.4"), std::string::npos) << head;
  EXPECT_NE(head.find("User-Agent: hls-swarm/"), std::string::npos) << head;
}

TEST_F(ScraperTest, UnreachableUrlIsReportedAndTheOthersStillCount) {
  int refused_port = 0;
  const UniqueFd bound_only = BoundSocket(0, refused_port);  // held: nobody can listen there
  ASSERT_TRUE(bound_only.Valid());
  const std::string refused = fmt::format("http://127.0.0.1:{}/metrics", refused_port);
  Scraper scraper(loop_, Options({refused, server_.Url("/node")}));
  ASSERT_TRUE(scraper.Start().has_value());
  ASSERT_TRUE(RunUntil([&] {
    const OriginStatus s = scraper.Current();
    return s.urls[0].scrape_errors >= 2 && s.urls[1].scrapes_ok >= 2;
  }));
  const OriginStatus s = scraper.Current();
  EXPECT_FALSE(s.urls[0].ok);
  EXPECT_EQ(s.urls[0].last_error, "connection refused");
  EXPECT_TRUE(s.urls[0].last_error_at.has_value());
  EXPECT_TRUE(s.urls[0].last_error_wall.has_value());
  EXPECT_EQ(s.urls[0].scrapes_ok, 0u);
  EXPECT_GE(s.scrape_errors_total, 2u);
  EXPECT_TRUE(s.urls[1].ok);
  ASSERT_TRUE(s.figures.cpu_utilisation_percent.has_value());
  EXPECT_NEAR(*s.figures.cpu_utilisation_percent, 25.0, 1e-9);
}

TEST_F(ScraperTest, FailuresAreDescribed) {
  struct Case {
    std::string url;
    std::size_t max_body_bytes;
    Duration timeout;
    std::string want_prefix;
  };
  const Case cases[] = {
      {server_.Url("/missing"), 4 << 20, milliseconds(1000), "HTTP 404"},
      {server_.Url("/html"), 4 << 20, milliseconds(1000),
       "not Prometheus text (line 1 unparsable)"},
      {server_.Url("/empty"), 4 << 20, milliseconds(1000), "no samples"},
      {server_.Url("/nginx-down"), 4 << 20, milliseconds(1000), "nginx_up is 0"},
      {server_.Url("/big"), 1000, milliseconds(1000), "body larger than 1000 bytes"},
      {server_.Url("/hang"), 4 << 20, milliseconds(300), "timed out after 0.3 s"},
      {"ftp://127.0.0.1/metrics", 4 << 20, milliseconds(1000), "bad URL ("},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    ScraperOptions o = Options({c.url});
    o.max_body_bytes = c.max_body_bytes;
    o.timeout = c.timeout;
    o.interval = std::chrono::seconds(10);  // one attempt is enough
    Scraper scraper(loop_, o);
    ASSERT_TRUE(scraper.Start().has_value());
    ASSERT_TRUE(RunUntil([&] { return scraper.Current().urls[0].scrape_errors >= 1; }));
    const UrlStatus u = scraper.Current().urls[0];
    EXPECT_FALSE(u.ok);
    EXPECT_EQ(u.last_error.substr(0, c.want_prefix.size()), c.want_prefix) << u.last_error;
    EXPECT_EQ(u.last_error.find('\n'), std::string::npos);
    EXPECT_FALSE(scraper.Current().figures.cpu_count.has_value());
  }
}

TEST_F(ScraperTest, RecoversAndKeepsTheLastError) {
  Scraper scraper(loop_, Options({server_.Url("/flaky")}));
  ASSERT_TRUE(scraper.Start().has_value());
  ASSERT_TRUE(RunUntil([&] { return scraper.Current().urls[0].scrapes_ok >= 2; }));
  const OriginStatus s = scraper.Current();
  EXPECT_TRUE(s.urls[0].ok);
  EXPECT_EQ(s.urls[0].scrape_errors, 1u);
  EXPECT_EQ(s.urls[0].last_error, "HTTP 500");
  EXPECT_TRUE(s.figures.nginx_requests_per_second.has_value());
}

TEST_F(ScraperTest, NeverRunsTwoTransfersToOneSlowUrl) {
  ScraperOptions o = Options({server_.Url("/hang")});
  o.interval = milliseconds(50);
  o.timeout = milliseconds(400);
  Scraper scraper(loop_, o);
  ASSERT_TRUE(scraper.Start().has_value());
  RunFor(milliseconds(300));
  EXPECT_EQ(server_.requests().size(), 1u);
  ASSERT_TRUE(RunUntil([&] { return scraper.Current().urls[0].scrape_errors >= 1; }));
}

TEST_F(ScraperTest, StopAbortsTransfersIsIdempotentAndCanRestart) {
  ScraperOptions o = Options({server_.Url("/hang")});
  o.timeout = std::chrono::seconds(30);
  auto scraper = std::make_unique<Scraper>(loop_, o);
  ASSERT_TRUE(scraper->Start().has_value());
  ASSERT_TRUE(RunUntil([&] { return server_.requests().size() == 1; }));
  scraper->Stop();
  scraper->Stop();
  RunFor(milliseconds(300));
  EXPECT_EQ(server_.requests().size(), 1u);  // no rounds after Stop()
  EXPECT_EQ(scraper->Current().urls[0].scrape_errors, 0u);
  ASSERT_TRUE(scraper->Start().has_value());
  ASSERT_TRUE(RunUntil([&] { return server_.requests().size() == 2; }));
  scraper.reset();  // destroyed with a transfer in flight
  RunFor(milliseconds(50));
}

struct StopOnThird : ScrapeListener {
  void OnScrapeDone(std::size_t url_index, const UrlStatus& status) override {
    indices.push_back(url_index);
    EXPECT_TRUE(status.ok);
    if (indices.size() == 3) scraper->Stop();
  }
  Scraper* scraper = nullptr;
  std::vector<std::size_t> indices;
};

TEST_F(ScraperTest, ListenerHearsEveryAttemptAndMayStop) {
  StopOnThird listener;
  Scraper scraper(loop_, Options({server_.Url("/nginx")}), &listener);
  listener.scraper = &scraper;
  ASSERT_TRUE(scraper.Start().has_value());
  ASSERT_TRUE(RunUntil([&] { return listener.indices.size() >= 3; }));
  RunFor(milliseconds(300));
  EXPECT_EQ(listener.indices, (std::vector<std::size_t>{0, 0, 0}));
  EXPECT_EQ(scraper.Current().urls[0].scrapes_ok, 3u);
}

}  // namespace
}  // namespace hs::originmon
