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

}  // namespace
}  // namespace hs::player
