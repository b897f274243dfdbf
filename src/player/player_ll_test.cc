// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The player against a generated LL-HLS origin on a fake clock (SPEC §13): start PART-HOLD-BACK
// from the edge on an independent part, parts and preload hints each requested once, blocking
// reloads one at a time for the part after the last listed, delta updates, one plain reload
// after a 400/503, rendition switches seeded from RENDITION-REPORT.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/test_util.h"
#include "player/ll_plan.h"
#include "player/player.h"
#include "player/player_test_util.h"

namespace hs::player {
namespace {

using measure::RequestKind;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeFetcher;
using testing::LlStream;
using testing::QueryParam;
using testing::Recorder;
using testing::Response;

constexpr const char* kUrl = "http://o/ll/stream.m3u8";
constexpr const char* kMasterUrl = "http://o/master.m3u8";

struct PlayerLlTest : ::testing::Test {
  FakeClock clock_;
  EventLoop loop_{clock_};
  FakeFetcher fetcher_{loop_};
  PlaylistCache cache_;
  Recorder rec_{clock_};
  PlayerOptions opts_;
  std::unique_ptr<Player> player_;
  SteadyTime t0_ = clock_.Now();
  LlStream ll_;
  LlStream ll_b_;  // a second rendition (master_)
  std::string master_ =
      "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000\nll/stream.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=600000\nllb/stream.m3u8\n";
  std::uint64_t part_bytes_ = 0;
  Duration media_delay_ = milliseconds(5);
  std::function<std::optional<Response>(const FetchRequest&, SteadyTime)> override_;
  int held_too_long_ = 0;

  PlayerLlTest() {
    ll_.t0 = ll_b_.t0 = t0_;
    ll_.pdt_t0_ms = ll_b_.pdt_t0_ms =
        std::chrono::duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count();
    ll_b_.prefix = "http://o/llb/";
    ll_.reports = {"../llb/stream.m3u8"};
    ll_b_.reports = {"../ll/stream.m3u8"};
    opts_.url = kUrl;
    fetcher_.route = [this](const FetchRequest& req, SteadyTime now) {
      if (override_) {
        if (std::optional<Response> r = override_(req, now)) return *r;
      }
      return Serve(req, now);
    };
  }

  // The origin: blocking reloads and hinted parts are held until their part exists.
  Response Serve(const FetchRequest& req, SteadyTime now) {
    if (req.url.rfind(ll_b_.prefix, 0) == 0) return ServeStream(ll_b_, req, now);
    if (req.url == kMasterUrl) {
      Response r;
      r.body = master_;
      return r;
    }
    return ServeStream(ll_, req, now);
  }
  Response ServeStream(const LlStream& st, const FetchRequest& req, SteadyTime now) {
    Response r;
    r.bytes = part_bytes_;
    if (req.url.rfind(st.prefix + "stream.m3u8", 0) == 0) {
      r.bytes = 0;
      SteadyTime at = now;
      if (auto msn = QueryParam(req.url, "_HLS_msn")) {
        const std::uint64_t m = std::stoull(*msn);
        std::uint64_t p = 0;
        if (auto part = QueryParam(req.url, "_HLS_part")) p = std::stoull(*part);
        at = std::max(at, st.PartAppears(st.IndexOf(m, p)));
      }
      r.delay = (at - now) + milliseconds(2);
      r.body = st.Body(at, QueryParam(req.url, "_HLS_skip").has_value());
      return r;
    }
    const std::size_t part = req.url.find("/part", st.prefix.size() - 1);
    if (part != std::string::npos) {
      // "part<msn>.<k>.m4s"
      const std::string name = req.url.substr(part + 5);
      const std::uint64_t msn = std::stoull(name);
      const std::uint64_t k = std::stoull(name.substr(name.find('.') + 1));
      const SteadyTime at = std::max(now, st.PartAppears(st.IndexOf(msn, k)));
      r.delay = (at - now) + media_delay_;
      r.body = "part";
      return r;
    }
    if (req.url.rfind(st.prefix, 0) == 0) {
      r.delay = media_delay_;
      r.body = "media";
      return r;
    }
    r.status = 404;
    return r;
  }

  void Make() { player_ = std::make_unique<Player>(loop_, opts_, fetcher_, cache_, rec_); }
  void RunFor(Duration d) { test::StepUntil(loop_, clock_, clock_.Now() + d); }

  std::vector<const testing::Request*> Playlists() const {
    return fetcher_.Of(RequestKind::kMediaPlaylist);
  }
};

TEST_F(PlayerLlTest, StartsPartHoldBackFromTheEdgeOnAPartAndFetchesEveryPartOnce) {
  Make();
  player_->Start();
  RunFor(seconds(30));
  ASSERT_EQ(rec_.playing.size(), 1u);
  EXPECT_TRUE(rec_.ended.empty());
  EXPECT_EQ(rec_.skipped, 0);
  EXPECT_EQ(rec_.failed, 0);
  EXPECT_EQ(rec_.reload_failed, 0);
  // At t0: 10 segments (40 parts of 0.5 s) exist; PART-HOLD-BACK 1.5 s from the edge (20 s) is
  // 18.5 s: the part starting at 18.5 s, msn 109 part 1. No whole segment is fetched.
  const auto parts = fetcher_.Of(RequestKind::kPart);
  ASSERT_GT(parts.size(), 55u);
  EXPECT_NE(parts.front()->req.url.find("part109.1.m4s"), std::string::npos)
      << parts.front()->req.url;
  EXPECT_TRUE(fetcher_.Of(RequestKind::kSegment).empty());
  ASSERT_EQ(fetcher_.Of(RequestKind::kInit).size(), 1u);
  // Every part once, in order, none skipped.
  std::set<std::string> seen;
  std::uint64_t expect = ll_.IndexOf(109, 1);
  for (const auto* p : parts) {
    EXPECT_TRUE(seen.insert(p->req.url).second) << "twice: " << p->req.url;
    const std::string name = p->req.url.substr(p->req.url.find("/ll/part") + 8);
    const std::uint64_t msn = std::stoull(name);
    const std::uint64_t k = std::stoull(name.substr(name.find('.') + 1));
    EXPECT_EQ(ll_.IndexOf(msn, k), expect) << p->req.url;
    expect = ll_.IndexOf(msn, k) + 1;
    EXPECT_EQ(p->req.channel, Channel::kMain);
  }
  // Latency stays at PART-HOLD-BACK (plus the few ms the fake origin takes), and the player
  // never stalls.
  const std::optional<double> latency = player_->LiveLatencySeconds();
  ASSERT_TRUE(latency.has_value());
  EXPECT_GE(*latency, 1.5);
  EXPECT_LT(*latency, 1.5 + 0.1);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
}

TEST_F(PlayerLlTest, BlockingReloadsOneAtATimeForTheNextPartWithDeltaUpdates) {
  Make();
  player_->Start();
  RunFor(seconds(20));
  const auto pls = Playlists();
  ASSERT_GT(pls.size(), 30u);
  // The first request (the URL given, a master or not) is plain, on the main channel; every
  // later one blocks, on the live channel, asks for the part after the last one the previous
  // answer listed, and (the held copy being young) for a delta.
  const auto first = fetcher_.Of(RequestKind::kMaster);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(QueryParam(first[0]->req.url, "_HLS_msn"));
  EXPECT_EQ(first[0]->req.channel, Channel::kMain);
  std::uint64_t expect = ll_.PartsAt(t0_);
  for (std::size_t i = 0; i < pls.size(); ++i) {
    const auto* r = pls[i];
    ASSERT_EQ(r->req.channel, Channel::kMainLive) << i;
    auto msn = QueryParam(r->req.url, "_HLS_msn");
    auto part = QueryParam(r->req.url, "_HLS_part");
    ASSERT_TRUE(msn && part) << r->req.url;
    EXPECT_EQ(ll_.IndexOf(std::stoull(*msn), std::stoull(*part)), expect) << r->req.url;
    EXPECT_EQ(QueryParam(r->req.url, "_HLS_skip"), std::optional<std::string>("YES"));
    ++expect;
    // No polling: the next request goes out when the previous answer arrives (held for the
    // part to appear: 0.5 s apart).
    if (i >= 1) {
      EXPECT_GT(r->at - pls[i - 1]->at, milliseconds(400)) << i;
    }
  }
  // The deltas skipped segments and still merged: no reload failed.
  bool any_skip = false;
  for (const auto* r : pls) any_skip = any_skip || r->body.find("#EXT-X-SKIP") != std::string::npos;
  EXPECT_TRUE(any_skip);
  EXPECT_EQ(rec_.reload_failed, 0);
  EXPECT_GT(cache_.merges(), 0u);
}

TEST_F(PlayerLlTest, AfterA503OrA400OnePlainReloadThenBlockingAgain) {
  int failures = 0;
  override_ = [&](const FetchRequest& req, SteadyTime) -> std::optional<Response> {
    if (QueryParam(req.url, "_HLS_msn") && failures < 2 && clock_.Now() - t0_ > seconds(3)) {
      Response r;
      r.status = failures++ == 0 ? 503 : 400;
      r.body = "no";
      return r;
    }
    return std::nullopt;
  };
  Make();
  player_->Start();
  RunFor(seconds(10));
  EXPECT_EQ(failures, 2);
  EXPECT_EQ(rec_.reload_failed, 2);
  const auto pls = Playlists();
  int plain_after_failure = 0;
  for (std::size_t i = 0; i + 2 < pls.size(); ++i) {
    if (pls[i]->status == 503 || pls[i]->status == 400) {
      EXPECT_FALSE(QueryParam(pls[i + 1]->req.url, "_HLS_msn")) << pls[i + 1]->req.url;
      ++plain_after_failure;
      EXPECT_TRUE(QueryParam(pls[i + 2]->req.url, "_HLS_msn")) << pls[i + 2]->req.url;
    }
  }
  EXPECT_EQ(plain_after_failure, 2);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
}

TEST_F(PlayerLlTest, ABadDeltaIsFollowedByOnePlainReload) {
  int bad = 0;
  override_ = [&](const FetchRequest& req, SteadyTime now) -> std::optional<Response> {
    if (QueryParam(req.url, "_HLS_skip") && bad == 0 && clock_.Now() - t0_ > seconds(3)) {
      ++bad;
      Response r = Serve(req, now);
      // Skips more than any copy the player holds.
      const std::size_t at = r.body.find("#EXT-X-MEDIA-SEQUENCE:");
      const std::size_t end = r.body.find('\n', at);
      r.body.replace(at, end - at, "#EXT-X-MEDIA-SEQUENCE:1");
      return r;
    }
    return std::nullopt;
  };
  Make();
  player_->Start();
  RunFor(seconds(8));
  EXPECT_EQ(bad, 1);
  EXPECT_EQ(rec_.reload_failed, 1);
  const auto pls = Playlists();
  std::size_t plain = 0;
  for (std::size_t i = 0; i < pls.size(); ++i)
    plain += QueryParam(pls[i]->req.url, "_HLS_msn") ? 0 : 1;
  EXPECT_EQ(plain, 1u);
  EXPECT_TRUE(rec_.ended.empty());
}

TEST_F(PlayerLlTest, StartsOnAnIndependentPartOnly) {
  ll_.all_independent = false;
  Make();
  player_->Start();
  RunFor(seconds(5));
  // 18.5 s is in msn 109; its only independent part is part 0 (18 s).
  const auto parts = fetcher_.Of(RequestKind::kPart);
  ASSERT_FALSE(parts.empty());
  EXPECT_NE(parts.front()->req.url.find("part109.0.m4s"), std::string::npos);
}

TEST_F(PlayerLlTest, LowLatencyOffPlaysWholeSegmentsWithTimedReloads) {
  opts_.low_latency = false;
  Make();
  player_->Start();
  RunFor(seconds(10));
  EXPECT_TRUE(fetcher_.Of(RequestKind::kPart).empty());
  EXPECT_FALSE(fetcher_.Of(RequestKind::kSegment).empty());
  for (const auto* r : Playlists()) EXPECT_FALSE(QueryParam(r->req.url, "_HLS_msn"));
}

TEST_F(PlayerLlTest, AbrSwitchAtASegmentBoundarySeededFromTheRenditionReport) {
  opts_.url = kMasterUrl;
  opts_.variant = config::Variant::kAbr;
  part_bytes_ = 200'000;  // 3.2 Mbit/s over a held 0.5 s: the estimate calls for the 600k one
  Make();
  player_->Start();
  RunFor(seconds(12));
  for (const auto& e : rec_.ended) ADD_FAILURE() << e.second;
  if (rec_.renditions.size() != 2u) {
    for (std::size_t i = 0; i < fetcher_.requests.size() && i < 30; ++i)
      ADD_FAILURE() << fetcher_.requests[i].req.url << " " << fetcher_.requests[i].status;
  }
  ASSERT_EQ(rec_.renditions.size(), 2u);
  EXPECT_EQ(rec_.renditions[0], (std::pair<std::uint64_t, bool>{300000, false}));
  EXPECT_EQ(rec_.renditions[1], (std::pair<std::uint64_t, bool>{600000, true}));
  // The first request for the new rendition blocks for the part its report named (LAST-MSN,
  // LAST-PART), without a delta; the old rendition's held reload was abandoned.
  const testing::Request* first_b = nullptr;
  for (const auto& r : fetcher_.requests) {
    if (r.req.url.rfind("http://o/llb/stream.m3u8", 0) == 0) {
      first_b = &r;
      break;
    }
  }
  ASSERT_NE(first_b, nullptr);
  EXPECT_TRUE(QueryParam(first_b->req.url, "_HLS_msn")) << first_b->req.url;
  EXPECT_TRUE(QueryParam(first_b->req.url, "_HLS_part")) << first_b->req.url;
  EXPECT_FALSE(QueryParam(first_b->req.url, "_HLS_skip")) << first_b->req.url;
  EXPECT_GE(fetcher_.cancels, 1);
  // Parts continue across the switch: the old rendition up to a segment's end, the new one
  // from part 0 of the next segment, no part twice, none skipped.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> played;
  bool switched = false;
  for (const auto* p : fetcher_.Of(RequestKind::kPart)) {
    const bool b = p->req.url.rfind("http://o/llb/", 0) == 0;
    const std::string name = p->req.url.substr(p->req.url.rfind("/part") + 5);
    const std::uint64_t msn = std::stoull(name);
    const std::uint64_t k = std::stoull(name.substr(name.find('.') + 1));
    if (b && !switched) {
      switched = true;
      EXPECT_EQ(k, 0u) << p->req.url;
      ASSERT_FALSE(played.empty());
      EXPECT_EQ(played.back(), (std::pair<std::uint64_t, std::uint64_t>{msn - 1, 3}));
    } else {
      EXPECT_EQ(b, switched) << p->req.url;
      if (!played.empty()) {
        EXPECT_EQ(ll_.IndexOf(msn, k), ll_.IndexOf(played.back().first, played.back().second) + 1)
            << p->req.url;
      }
    }
    played.emplace_back(msn, k);
  }
  EXPECT_TRUE(switched);
  EXPECT_EQ(rec_.skipped, 0);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
}

TEST(LlPlanTest, DirectivesAndSkipRules) {
  EXPECT_EQ(WithDirectives("http://h/a.m3u8", {5, 2}, true),
            "http://h/a.m3u8?_HLS_msn=5&_HLS_part=2&_HLS_skip=YES");
  EXPECT_EQ(WithDirectives("http://h/a.m3u8?t=1", {5, -1}, false),
            "http://h/a.m3u8?t=1&_HLS_msn=5");
  hls::Playlist pl;
  pl.server_control.can_skip_until_s = 12;
  EXPECT_TRUE(UseDeltaUpdate(pl, 5.9));
  EXPECT_FALSE(UseDeltaUpdate(pl, 6.0));
  pl.server_control.can_skip_until_s = 0;
  EXPECT_FALSE(UseDeltaUpdate(pl, 0));
}

TEST(LlPlanTest, NextPartAndSwitchSeeds) {
  hls::Playlist pl;
  pl.media_sequence = 10;
  pl.part_target_s = 0.5;
  pl.target_duration_s = 2;
  pl.segments.resize(3);
  EXPECT_EQ(NextPartToRequest(pl), (PartPosition{13, 0}));
  pl.trailing_parts.resize(2);
  EXPECT_EQ(NextPartToRequest(pl), (PartPosition{13, 2}));
  pl.rendition_reports.push_back({"http://h/b.m3u8", 13, 1});
  EXPECT_EQ(SwitchRequestFromReport(pl, "http://h/b.m3u8", 0.2), (PartPosition{13, 1}));
  // Older than two part targets: the part after the report.
  EXPECT_EQ(SwitchRequestFromReport(pl, "http://h/b.m3u8", 1.2), (PartPosition{13, 2}));
  EXPECT_FALSE(SwitchRequestFromReport(pl, "http://h/c.m3u8", 0.2));
}

}  // namespace
}  // namespace hs::player
