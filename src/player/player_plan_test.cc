// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The player's pure rules against their sources: hls.js computeReloadInterval (RFC 8216 §6.3.4),
// the live start point (§6.3.3, liveSyncDurationCount 3), the retry backoff, the audio choice.
#include "player/player_plan.h"

#include <gtest/gtest.h>

namespace hs::player {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(PlayerPlanTest, ReloadInterval) {
  hls::Playlist p;
  p.target_duration_s = 6.9;  // hls.js parseInt: 6
  p.segments.resize(3);
  p.segments.back().duration_s = 4;
  EXPECT_EQ(ReloadInterval(p, true, 100), seconds(6));  // far from the edge: TD
  EXPECT_EQ(ReloadInterval(p, true, 10), seconds(4));   // near: the shorter last segment
  EXPECT_EQ(ReloadInterval(p, false, 10), seconds(3));  // unchanged: TD/2
  p.target_duration_s = 0;                              // at least 1
  EXPECT_EQ(ReloadInterval(p, false, 10), milliseconds(500));
  p.segments.back().duration_s = 0;
  EXPECT_EQ(ReloadInterval(p, true, 0), milliseconds(100));  // never a tight loop
}

TEST(PlayerPlanTest, StartIndexAndBackoff) {
  hls::Playlist p;
  p.target_duration_s = 2;
  p.segments.resize(10);
  for (auto& s : p.segments) s.duration_s = 2;
  EXPECT_EQ(StartIndex(p), 7u);  // 20 s, 6 s from the end
  p.end_list = true;
  EXPECT_EQ(StartIndex(p), 0u);
  p.start_time_offset_s = 5;
  EXPECT_EQ(StartIndex(p), 2u);
  p.start_time_offset_s = -100;
  EXPECT_EQ(StartIndex(p), 0u);
  p.start_time_offset_s = 100;
  EXPECT_EQ(StartIndex(p), 9u);
  p.segments.resize(2);
  p.end_list = false;
  p.start_time_offset_s.reset();
  EXPECT_EQ(StartIndex(p), 0u);  // shorter than 3 TD: from the start
  const Duration s1 = seconds(1), s8 = seconds(8);
  EXPECT_EQ(Backoff(1, s1, s8), seconds(1));
  EXPECT_EQ(Backoff(3, s1, s8), seconds(4));
  EXPECT_EQ(Backoff(40, s1, s8), seconds(8));
}

TEST(PlayerPlanTest, AudioChoiceDefaultThenAutoselectThenFirst) {
  hls::Playlist m;
  m.variants.resize(1);
  m.variants[0].audio_group = "g";
  auto add = [&m](std::string group, bool def, bool autosel, std::string uri) {
    hls::Rendition r;
    r.type = "AUDIO";
    r.group_id = std::move(group);
    r.is_default = def;
    r.autoselect = autosel;
    r.uri = std::move(uri);
    m.renditions.push_back(r);
  };
  add("other", true, false, "x");
  add("g", false, false, "first");
  add("g", false, true, "auto");
  EXPECT_EQ(ChooseAudio(m, m.variants[0])->uri, "auto");
  add("g", true, false, "default");
  EXPECT_EQ(ChooseAudio(m, m.variants[0])->uri, "default");
  m.renditions.back().uri.clear();  // the default is muxed into the variant
  EXPECT_EQ(ChooseAudio(m, m.variants[0]), nullptr);
  m.variants[0].audio_group.clear();
  EXPECT_EQ(ChooseAudio(m, m.variants[0]), nullptr);
}

// hls.js ewma-bandwidth-estimator.ts with ewma.ts: values computed from their formulas.
TEST(PlayerPlanTest, BandwidthEstimatorFollowsHlsJs) {
  BandwidthEstimator e;
  EXPECT_EQ(e.EstimateBps(), 500000.0);  // abrEwmaDefaultEstimate before any sample
  e.Sample(1.0, 125000);                 // 1 Mbit/s for 1 s: the zero-factor makes it exact
  EXPECT_NEAR(e.EstimateBps(), 1000000.0, 1e-3);
  e.Sample(2.0, 125000);  // 0.5 Mbit/s for 2 s: fast 629960.5, slow 654007.8 → the lower
  EXPECT_NEAR(e.EstimateBps(), 629960.525, 1e-3);
  e.Sample(0.01, 1000);  // under minDelayMs: counts as 50 ms (160 kbit/s, weight 0.05)
  EXPECT_NEAR(e.EstimateBps(), 619287.204, 1e-3);
}

TEST(PlayerPlanTest, AbrChoiceSwitchesDownAbove95AndUpBelow70Percent) {
  hls::Playlist m;
  m.is_master = true;
  for (std::uint64_t bw : {1000000u, 400000u, 2000000u}) {
    hls::VariantStream v;
    v.bandwidth = bw;
    m.variants.push_back(v);
  }
  hls::VariantStream audio_only;
  audio_only.bandwidth = 100000;
  audio_only.codecs = "mp4a.40.2";
  m.variants.push_back(audio_only);
  // Start: the highest within 0.95 × estimate; 500 kbit/s before a sample → 400k; else lowest
  // video (never the audio-only variant).
  EXPECT_EQ(ChooseAbrVariant(m, std::nullopt, 500000), 1u);
  EXPECT_EQ(ChooseAbrVariant(m, std::nullopt, 300000), 1u);
  EXPECT_EQ(ChooseAbrVariant(m, std::nullopt, 5000000), 2u);
  // Stay on 1M while 1M <= 0.95 × estimate and nothing higher is below 0.7 × estimate.
  EXPECT_EQ(ChooseAbrVariant(m, 0, 1052632), 0u);  // 0.95 × 1052632 = 1000000.4
  EXPECT_EQ(ChooseAbrVariant(m, 0, 2857142), 0u);  // 2M not below 0.7 × it = 1999999.4
  EXPECT_EQ(ChooseAbrVariant(m, 0, 2857143), 2u);  // 0.7 × 2857143 = 2000000.1: up
  EXPECT_EQ(ChooseAbrVariant(m, 0, 1052631), 1u);  // 1M > 0.95 × estimate: down to 400k
  EXPECT_EQ(ChooseAbrVariant(m, 2, 2000000), 0u);  // from 2M straight to the best that fits
  EXPECT_EQ(ChooseAbrVariant(m, 1, 1000000), 1u);  // 1M not below 700k: stay on 400k
  EXPECT_EQ(ChooseAbrVariant(m, 1, 1500000), 0u);  // 1M < 1.05M: up one
}

TEST(PlayerPlanTest, ContinuationAfterASwitch) {
  auto media = [](std::uint64_t msn0, std::vector<double> durs, std::optional<std::int64_t> pdt,
                  bool vod) {
    hls::Playlist p;
    p.media_sequence = msn0;
    p.end_list = vod;
    std::int64_t t = pdt.value_or(0);
    for (double d : durs) {
      hls::Segment s;
      s.duration_s = d;
      if (pdt) s.program_date_time_ms = t;
      t += static_cast<std::int64_t>(d * 1000);
      p.segments.push_back(s);
    }
    return p;
  };
  // Live with PDT: renditions numbered differently are aligned by PDT.
  const auto a = media(100, {2, 2, 2, 2}, 1'000'000, false);
  const auto b = media(7, {2, 2, 2, 2, 2}, 998'000, false);
  EXPECT_EQ(ContinuationMsn(a, 102, b), 10u);  // a's 102 starts at 1'004'000 = b's 10
  // Live without PDT: the same media sequence number.
  EXPECT_EQ(ContinuationMsn(media(100, {2, 2}, {}, false), 101, media(99, {2, 2, 2}, {}, false)),
            101u);
  // VOD: by time from the start (segments of different lengths).
  const auto v4 = media(0, {4, 4, 4}, {}, true);
  const auto v2 = media(0, {2, 2, 2, 2, 2, 2}, {}, true);
  EXPECT_EQ(ContinuationMsn(v4, 1, v2), 2u);  // 4 s in
  EXPECT_EQ(ContinuationMsn(v2, 3, v4), 1u);  // 6 s in: inside v4's second segment
  EXPECT_EQ(ContinuationMsn(v4, 3, v2), 3u);  // past the end: unchanged
}

TEST(PlayerPlanTest, VariantMixIsDeterministicAndKeepsTheShares) {
  using config::Variant;
  const std::vector<config::VariantShare> mix = {{Variant::kHighest, 60}, {Variant::kLowest, 40}};
  int highest = 0;
  for (int id = 0; id < 1000; ++id) {
    const Variant v = MixVariant(mix, id);
    EXPECT_EQ(v, MixVariant(mix, id));
    highest += v == Variant::kHighest ? 1 : 0;
  }
  EXPECT_NEAR(highest, 600, 2);
  // Short runs of consecutive ids come close too (golden-ratio spread): 3 of the first 5.
  int first5 = 0;
  for (int id = 0; id < 5; ++id) first5 += MixVariant(mix, id) == Variant::kHighest ? 1 : 0;
  EXPECT_EQ(first5, 3);
  for (int start : {0, 37, 500}) {
    int n = 0;
    for (int id = start; id < start + 20; ++id) n += MixVariant(mix, id) == Variant::kHighest;
    EXPECT_NEAR(n, 12, 1) << start;
  }
}

TEST(PlayerPlanTest, LatencyFormulas) {
  // The last segment received ends at PDT 100 s; 3 s are buffered past the playhead; now is
  // 110 s: the playhead is at PDT 97 s, 13 s behind.
  EXPECT_DOUBLE_EQ(PdtLatencySeconds(110'000, 100'000, 3.0), 13.0);
  EXPECT_DOUBLE_EQ(EdgeLatencySeconds(6.0, 1.5), 7.5);
}

}  // namespace
}  // namespace hs::player
