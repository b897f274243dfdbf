// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/event_loop.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/io.h"

namespace hs {
namespace {

struct EventLoopTest : testing::Test {
  RealClock clock_;
  EventLoop loop_{clock_};
};

TEST_F(EventLoopTest, TimersFireInDeadlineOrder) {
  std::vector<int> fired;
  auto a = loop_.CreateTimer([&] { fired.push_back(1); });
  auto b = loop_.CreateTimer([&] { fired.push_back(2); });
  auto c = loop_.CreateTimer([&] {
    fired.push_back(3);
    loop_.Stop();
  });
  c->Arm(std::chrono::milliseconds(30));
  a->Arm(std::chrono::milliseconds(10));
  b->Arm(std::chrono::milliseconds(20));
  loop_.Run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST_F(EventLoopTest, CancelledAndDestroyedTimersDoNotFire) {
  int fired = 0;
  auto a = loop_.CreateTimer([&] { ++fired; });
  auto b = loop_.CreateTimer([&] { ++fired; });
  auto stop = loop_.CreateTimer([&] { loop_.Stop(); });
  a->Arm(std::chrono::milliseconds(5));
  b->Arm(std::chrono::milliseconds(5));
  a->Cancel();
  b.reset();
  stop->Arm(std::chrono::milliseconds(30));
  loop_.Run();
  EXPECT_EQ(fired, 0);
}

TEST_F(EventLoopTest, RearmMovesDeadline) {
  int fired = 0;
  auto t = loop_.CreateTimer([&] { ++fired; });
  t->Arm(std::chrono::milliseconds(5));
  t->Arm(std::chrono::seconds(100));
  auto stop = loop_.CreateTimer([&] { loop_.Stop(); });
  stop->Arm(std::chrono::milliseconds(30));
  loop_.Run();
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(t->Armed());
}

TEST_F(EventLoopTest, FdReadinessAndSelfRemovalInCallback) {
  auto p = MakePipe();
  ASSERT_TRUE(p);
  std::unique_ptr<FileWatch> w;
  std::string got;
  w = loop_.Watch(p->read_end.Get(), EPOLLIN, [&](std::uint32_t) {
    char buf[16];
    IoResult r = ReadSome(p->read_end.Get(), buf, sizeof(buf));
    got.append(buf, r.bytes);
    w.reset();  // destroying the watch from its own callback must be safe
    loop_.Stop();
  });
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(::write(p->write_end.Get(), "hi", 2), 2);
  loop_.Run();
  EXPECT_EQ(got, "hi");
  EXPECT_EQ(w, nullptr);
}

TEST_F(EventLoopTest, PostedTasksRunAfterDispatch) {
  std::vector<int> order;
  auto t = loop_.CreateTimer([&] {
    loop_.Post([&] {
      order.push_back(2);
      loop_.Stop();
    });
    order.push_back(1);
  });
  t->Arm(std::chrono::milliseconds(1));
  loop_.Run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace hs
