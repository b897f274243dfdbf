// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// Measures (does not assert) the heap cost of an idle kept-alive client connection, plain and
// TLS: 1000 connections each carry one request to a server in a forked child (so the server's
// allocations are not counted), then the main arena's in-use bytes (mallinfo2) are compared
// with the count before. Numbers go to stdout and to the test's XML properties.
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/fs.h"
#include "core/io.h"
#include "http/client.h"
#include "http/http_test_util.h"
#include "http/tls_test_util.h"

namespace hs::http::test {
namespace {

using std::chrono::seconds;

constexpr int kConnections = 1000;

/// A server process: \a serve runs in a forked child and writes the port to the pipe.
class ChildServer {
 public:
  template <typename Serve>
  explicit ChildServer(Serve serve) {
    auto pipe = MakePipe();
    if (!pipe) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      pipe->read_end.Reset();
      serve(pipe->write_end.Get());
      ::_exit(0);
    }
    pipe->write_end.Reset();
    int port = 0;
    if (::read(pipe->read_end.Get(), &port, sizeof(port)) == sizeof(port)) port_ = port;
  }
  ~ChildServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

void WritePort(int fd, int port) {
  if (::write(fd, &port, sizeof(port)) != sizeof(port)) ::_exit(1);
  ::close(fd);
}

struct Measured {
  double bytes_per_connection = 0;
  std::uint64_t requests_ok = 0;
};

Measured MeasureIdle(EventLoop& loop, ClientShared& shared, const Endpoint& to) {
  Measured m;
  std::vector<std::unique_ptr<Connection>> conns;
  conns.reserve(kConnections + 1);
  Request req;
  req.target = "/";
  req.keep_body = true;
  int done = 0;
  auto on_done = [&](Response&& r) {
    ++done;
    if (r.error == measure::RequestError::kNone) ++m.requests_ok;
  };
  // One warm-up connection: one-time allocations (OpenSSL tables, the loop's maps) are not
  // per-connection costs.
  conns.push_back(std::make_unique<Connection>(shared));
  conns.back()->Send(to, req, on_done);
  RunUntil(
      loop, [&] { return done == 1; }, seconds(10));
  loop.RunOnce(Duration::zero());
  ::malloc_trim(0);
  const size_t before = ::mallinfo2().uordblks;
  for (int i = 0; i < kConnections; ++i) {
    conns.push_back(std::make_unique<Connection>(shared));
    conns.back()->Send(to, req, on_done);
  }
  RunUntil(
      loop, [&] { return done == kConnections + 1; }, seconds(60));
  loop.RunOnce(Duration::zero());
  const size_t after = ::mallinfo2().uordblks;
  m.bytes_per_connection = static_cast<double>(after - before) / kConnections;
  --m.requests_ok;  // the warm-up
  return m;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST(ClientMemoryTest, HeapPerIdleConnection) {
  if (kSanitized) GTEST_SKIP() << "heap figures are meaningless under ASan";
  ::signal(SIGPIPE, SIG_IGN);
  RealClock clock;
  EventLoop loop(clock);
  std::printf("sizeof(Connection) = %zu, sizeof(ClientShared) = %zu (+%zu B shared buffer)\n",
              sizeof(Connection), sizeof(ClientShared), ClientShared::kDefaultReadBufferBytes);
  RecordProperty("sizeof_connection", static_cast<int>(sizeof(Connection)));
  {
    ChildServer server([](int port_fd) {
      RealClock c;
      EventLoop l(c);
      ScriptedServer s(l);
      s.Route("/", {Ok("hello")});
      WritePort(port_fd, s.port());
      for (;;) l.RunOnce(seconds(1));
    });
    ASSERT_NE(server.port(), 0);
    ClientShared shared(loop, nullptr);
    const Measured plain = MeasureIdle(loop, shared, LoopbackEndpoint(server.port()));
    EXPECT_EQ(plain.requests_ok, static_cast<std::uint64_t>(kConnections));
    std::printf("plain: %.0f heap bytes per idle kept-alive connection (%d connections)\n",
                plain.bytes_per_connection, kConnections);
    RecordProperty("plain_heap_bytes_per_connection", static_cast<int>(plain.bytes_per_connection));
  }
  TestPki pki;
  auto dir = MakeTempDir("hs-mem-test");
  ASSERT_TRUE(dir.has_value());
  ASSERT_TRUE(pki.WriteCaFile(*dir + "/ca.pem"));
  {
    ChildServer server([&pki](int port_fd) {
      TlsTestServer s(pki);
      WritePort(port_fd, s.port());
      s.Serve();
    });
    ASSERT_NE(server.port(), 0);
    auto tls = TlsContext::Create(true, pki.ca_file);
    ASSERT_TRUE(tls.has_value());
    ClientShared shared(loop, tls->get());
    const Measured secure =
        MeasureIdle(loop, shared, LoopbackEndpoint(server.port(), true, "localhost"));
    EXPECT_EQ(secure.requests_ok, static_cast<std::uint64_t>(kConnections));
    std::printf(
        "tls: %.0f heap bytes per idle kept-alive connection (%d connections, %llu of "
        "%llu handshakes resumed)\n",
        secure.bytes_per_connection, kConnections,
        static_cast<unsigned long long>((*tls)->resumptions()),
        static_cast<unsigned long long>((*tls)->handshakes()));
    RecordProperty("tls_heap_bytes_per_connection", static_cast<int>(secure.bytes_per_connection));
  }
  RemoveTree(*dir);
}

}  // namespace
}  // namespace hs::http::test
