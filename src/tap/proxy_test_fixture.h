// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The fixture of the tap's end-to-end tests (proxy_server_test.cc, proxy_faults_test.cc): a
// test origin, the tap and raw clients on one EventLoop, and a check that no fd leaked.

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tap/proxy_server.h"
#include "tap/tap_test_util.h"

namespace hs::tap::test {

using OriginMode = OriginRoute::Mode;
using std::chrono::milliseconds;

inline constexpr const char* kMedia =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXTINF:2.000,\nseg0.ts\n#EXTINF:1.500,\nseg1.ts\n#EXT-X-ENDLIST\n";

inline std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class RecordingListener : public TapListener {
 public:
  void OnRequestComplete(const RequestRecord& r) override { requests.push_back(r); }
  void OnTunnelClosed(const TunnelRecord& r) override { tunnels.push_back(r); }
  std::vector<RequestRecord> requests;
  std::vector<TunnelRecord> tunnels;
};

class ProxyTest : public testing::Test {
 protected:
  void SetUp() override {
    fds_before_ = CountOpenFds();
    origin_ = std::make_unique<TestOrigin>(loop_);
    ASSERT_TRUE(origin_->Listen());
    origin_->Route("/live/stream.m3u8", {200, kMedia, "application/vnd.apple.mpegurl"});
    origin_->Route("/live/seg0.ts", {200, Pattern(100'000), "video/mp2t"});
    origin_->Route("/live/seg1.ts", {200, Pattern(50'000), "video/mp2t"});
  }

  void TearDown() override {
    clients_.clear();
    tap_.reset();
    origin_.reset();
    for (int i = 0; i < 3; ++i) loop_.RunOnce(milliseconds(0));  // posted deletions
    EXPECT_EQ(CountOpenFds(), fds_before_) << "file descriptors leaked";
  }

  void StartTap(TapOptions options = {}) {
    tap_ = std::make_unique<TapServer>(loop_, std::move(options), &listener_);
    ASSERT_TRUE(tap_->Listen());
    ASSERT_GT(tap_->port(), 0);
  }

  TestClient& NewClient() {
    clients_.push_back(std::make_unique<TestClient>(loop_, tap_->port()));
    return *clients_.back();
  }

  // An absolute-form request as FFmpeg 5.1 sends it through a proxy.
  std::string Get(const std::string& path, const std::string& extra = "",
                  const std::string& method = "GET") const {
    return fmt::format(
        "{} {} HTTP/1.1\r\nUser-Agent: hls-swarm/0.1.0/client-7\r\nAccept: */*\r\n"
        "Range: bytes=0-\r\nHost: 127.0.0.1:{}\r\nProxy-Connection: keep-alive\r\n{}\r\n",
        method, origin_->Url(path), origin_->port(), extra);
  }

  bool WaitRecords(size_t n, Duration timeout = std::chrono::seconds(5)) {
    return RunUntil(
        loop_, [&] { return listener_.requests.size() >= n; }, timeout);
  }

  std::string SentByOrigin(size_t i) const { return origin_->log().at(i).sent; }

  RealClock clock_;
  EventLoop loop_{clock_};
  int fds_before_ = 0;
  RecordingListener listener_;
  std::unique_ptr<TestOrigin> origin_;
  std::unique_ptr<TapServer> tap_;
  std::vector<std::unique_ptr<TestClient>> clients_;
};

}  // namespace hs::tap::test
