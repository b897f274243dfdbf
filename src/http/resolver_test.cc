// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include <gtest/gtest.h>

#include "core/unique_fd.h"

namespace hs::http {
namespace {

using std::chrono::milliseconds;

// A minimal DNS server on loopback UDP, on the test's loop: answers A queries for any name
// ending in ".test" with the configured addresses and TTL, AAAA with no records, others with
// NXDOMAIN. It can delay its answers (a slow resolver).
class FakeDns {
 public:
  FakeDns(EventLoop& loop, std::vector<std::string> ips, std::uint32_t ttl)
      : loop_(loop), ips_(std::move(ips)), ttl_(ttl) {
    fd_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_.Get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    watch_ = loop_.Watch(fd_.Get(), EPOLLIN, [this](std::uint32_t) { OnQuery(); });
  }
  int port() const { return port_; }
  int a_queries = 0;
  Duration delay{};

 private:
  void OnQuery() {
    unsigned char q[512];
    sockaddr_in from{};
    socklen_t flen = sizeof(from);
    const ssize_t n =
        ::recvfrom(fd_.Get(), q, sizeof(q), 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n < 17) return;
    // Question: QNAME labels from byte 12, then QTYPE, QCLASS.
    size_t i = 12;
    std::string name;
    while (i < static_cast<size_t>(n) && q[i] != 0) {
      const size_t l = q[i];
      name += std::string(reinterpret_cast<char*>(q + i + 1), l) + ".";
      i += l + 1;
    }
    const size_t qend = i + 5;
    const int qtype = (q[i + 1] << 8) | q[i + 2];
    std::vector<unsigned char> r(q, q + qend);
    r[2] = 0x81;  // response, recursion desired
    r[3] = 0x80;  // recursion available, NOERROR
    const bool ours = name.size() > 6 && name.substr(name.size() - 6) == ".test.";
    if (!ours) r[3] = 0x83;  // NXDOMAIN
    int answers = 0;
    if (ours && qtype == 1) {
      ++a_queries;
      for (const std::string& ip : ips_) {
        in_addr addr{};
        ::inet_pton(AF_INET, ip.c_str(), &addr);
        const unsigned char rr[] = {0xc0,
                                    0x0c,
                                    0,
                                    1,
                                    0,
                                    1,
                                    static_cast<unsigned char>(ttl_ >> 24),
                                    static_cast<unsigned char>(ttl_ >> 16),
                                    static_cast<unsigned char>(ttl_ >> 8),
                                    static_cast<unsigned char>(ttl_),
                                    0,
                                    4};
        r.insert(r.end(), rr, rr + sizeof(rr));
        const auto* b = reinterpret_cast<const unsigned char*>(&addr);
        r.insert(r.end(), b, b + 4);
        ++answers;
      }
    }
    r[6] = 0;
    r[7] = static_cast<unsigned char>(answers);
    r[8] = r[9] = r[10] = r[11] = 0;
    auto send = [this, r, from] {
      ::sendto(fd_.Get(), r.data(), r.size(), 0, reinterpret_cast<const sockaddr*>(&from),
               sizeof(from));
    };
    if (delay > Duration::zero()) {
      timers_.push_back(loop_.CreateTimer(send));
      timers_.back()->Arm(delay);
    } else {
      send();
    }
  }
  EventLoop& loop_;
  std::vector<std::string> ips_;
  std::uint32_t ttl_;
  UniqueFd fd_;
  int port_ = 0;
  std::unique_ptr<FileWatch> watch_;
  std::vector<std::unique_ptr<Timer>> timers_;
};

struct ResolverTest : testing::Test {
  RealClock clock_;
  EventLoop loop_{clock_};
  template <typename Pred>
  bool RunUntil(Pred done, Duration limit = std::chrono::seconds(5)) {
    const SteadyTime end = clock_.Now() + limit;
    while (!done() && clock_.Now() < end) loop_.RunOnce(milliseconds(5));
    return done();
  }
  std::unique_ptr<Resolver> Make(int dns_port) {
    ResolverOptions o;
    o.servers = "127.0.0.1:" + std::to_string(dns_port);
    o.timeout = milliseconds(3000);
    auto r = Resolver::Create(loop_, o);
    EXPECT_TRUE(r.has_value());
    return std::move(*r);
  }
};

TEST_F(ResolverTest, NumericHostsAnswerWithoutAQuery) {
  FakeDns dns(loop_, {"192.0.2.1"}, 60);
  auto r = Make(dns.port());
  std::optional<Result<std::shared_ptr<const Answer>>> got;
  r->Resolve("127.0.0.1", 8080, [&](auto a) { got = std::move(a); });
  EXPECT_FALSE(got.has_value());  // never inside the call
  ASSERT_TRUE(RunUntil([&] { return got.has_value(); }));
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got)->addresses.at(0).Label(), "127.0.0.1:8080");
  r->Resolve("::1", 443, [&](auto a) { got = std::move(a); });
  got.reset();
  ASSERT_TRUE(RunUntil([&] { return got.has_value(); }));
  EXPECT_EQ((**got)->addresses.at(0).Label(), "[::1]:443");
  EXPECT_EQ(r->queries(), 0u);
}

TEST_F(ResolverTest, OneQueryServesEveryWaiterAndTheCacheHonoursTheTtl) {
  FakeDns dns(loop_, {"192.0.2.10", "192.0.2.11"}, 1);
  auto r = Make(dns.port());
  int answered = 0;
  std::set<std::string> labels;
  for (int i = 0; i < 5; ++i) {
    r->Resolve("edge.test", 8080, [&](Result<std::shared_ptr<const Answer>> a) {
      ASSERT_TRUE(a.has_value()) << a.error().detail;
      for (const auto& x : (*a)->addresses) labels.insert(x.Label());
      ++answered;
    });
  }
  ASSERT_TRUE(RunUntil([&] { return answered == 5; }));
  EXPECT_EQ(dns.a_queries, 1);
  EXPECT_EQ(labels, (std::set<std::string>{"192.0.2.10:8080", "192.0.2.11:8080"}));
  r->Resolve("edge.test", 80, [&](auto) { ++answered; });
  ASSERT_TRUE(RunUntil([&] { return answered == 6; }));
  EXPECT_EQ(r->cache_hits(), 1u);
  EXPECT_EQ(dns.a_queries, 1);
  // TTL 1 s: after it the name is asked again.
  const SteadyTime until = clock_.Now() + milliseconds(1100);
  RunUntil([&] { return clock_.Now() >= until; });
  r->Resolve("edge.test", 80, [&](auto) { ++answered; });
  ASSERT_TRUE(RunUntil([&] { return answered == 7; }));
  EXPECT_EQ(dns.a_queries, 2);
}

TEST_F(ResolverTest, UnknownNameIsAClearErrorAndSlowAnswersDoNotBlockTheLoop) {
  FakeDns dns(loop_, {"192.0.2.10"}, 30);
  auto r = Make(dns.port());
  std::optional<Result<std::shared_ptr<const Answer>>> bad;
  r->Resolve("nope.invalid", 80, [&](auto a) { bad = std::move(a); });
  ASSERT_TRUE(RunUntil([&] { return bad.has_value(); }));
  ASSERT_FALSE(bad->has_value());
  EXPECT_NE(bad->error().detail.find("cannot resolve nope.invalid"), std::string::npos);
  // A resolver that answers after 1 s: the loop keeps running other work meanwhile.
  dns.delay = milliseconds(1000);
  int ticks = 0;
  std::unique_ptr<Timer> tick = loop_.CreateTimer([&] {
    ++ticks;
    tick->Arm(milliseconds(50));
  });
  tick->Arm(milliseconds(50));
  bool done = false;
  r->Resolve("slow.test", 80, [&](auto a) { done = a.has_value(); });
  ASSERT_TRUE(RunUntil([&] { return done; }));
  EXPECT_GE(ticks, 10);  // the loop kept ticking every 50 ms while the answer was pending
}

}  // namespace
}  // namespace hs::http
