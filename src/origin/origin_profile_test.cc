// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/origin_profile.h"

#include <gtest/gtest.h>

namespace hs::origin {
namespace {

OriginProfile MustFind(std::string_view name) {
  Result<OriginProfile> p = FindOriginProfile(name);
  EXPECT_TRUE(p.has_value()) << name;
  return p.value_or(OriginProfile{});
}

TEST(OriginProfileTest, EveryBuiltInProfileIsValidAndFindable) {
  for (const OriginProfile& p : OriginProfiles()) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(ValidateOriginProfile(p).has_value()) << ValidateOriginProfile(p).error().detail;
    EXPECT_FALSE(p.description.empty());
    EXPECT_EQ(MustFind(p.name).name, p.name);
    for (const Rendition& r : p.renditions) EXPECT_LE(r.video_kbps, r.maxrate_kbps) << r.name;
  }
  EXPECT_EQ(OriginProfileNames(), "default, low-latency, abr, stress, tiny, ll-hls, ll-hls-abr");
}

TEST(OriginProfileTest, ProfilesMatchTheSpec) {
  const OriginProfile def = MustFind("default");
  ASSERT_EQ(def.renditions.size(), 1u);
  EXPECT_EQ(def.renditions[0].height, 720);
  EXPECT_EQ(def.segment_seconds, 2);
  EXPECT_EQ(def.list_size, 10);
  EXPECT_EQ(def.GopFrames(), 60);

  const OriginProfile ll = MustFind("low-latency");
  EXPECT_EQ(ll.segment_seconds, 1);
  EXPECT_EQ(ll.list_size, 6);
  EXPECT_EQ(ll.GopFrames(), ll.fps);

  const OriginProfile abr = MustFind("abr");
  EXPECT_TRUE(abr.HasMaster());
  ASSERT_EQ(abr.renditions.size(), 3u);
  EXPECT_LT(abr.renditions[0].video_kbps, abr.renditions[1].video_kbps);
  EXPECT_LT(abr.renditions[1].video_kbps, abr.renditions[2].video_kbps);

  const OriginProfile stress = MustFind("stress");
  EXPECT_GE(stress.renditions[0].height, 1080);
  EXPECT_EQ(stress.segment_seconds, 2);

  const OriginProfile tiny = MustFind("tiny");
  EXPECT_LE(tiny.TotalKbps(), 200);
  EXPECT_LE(tiny.renditions[0].width, 320);
  EXPECT_EQ(tiny.x264_preset, "ultrafast");
  EXPECT_LE(tiny.fps, 15);
}

TEST(OriginProfileTest, UnknownNameListsTheValidOnes) {
  Result<OriginProfile> p = FindOriginProfile("huge");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kUsage);
  EXPECT_NE(p.error().detail.find("'huge'"), std::string::npos);
  EXPECT_NE(p.error().detail.find("low-latency"), std::string::npos);
}

TEST(OriginProfileTest, TotalKbpsSumsVideoAndAudio) {
  EXPECT_EQ(MustFind("default").TotalKbps(), 2500 + 128);
  EXPECT_EQ(MustFind("abr").TotalKbps(), 800 + 64 + 1400 + 96 + 2500 + 128);
}

struct BadCase {
  const char* what;
  void (*mutate)(OriginProfile&);
  const char* needle;
};

TEST(OriginProfileTest, ValidationRejectsBrokenProfiles) {
  const BadCase cases[] = {
      {"video above maxrate", [](OriginProfile& p) { p.renditions[0].video_kbps = 3000; },
       "maxrate"},
      {"odd width", [](OriginProfile& p) { p.renditions[0].width = 641; }, "even"},
      {"zero audio", [](OriginProfile& p) { p.renditions[0].audio_kbps = 0; }, "audio"},
      {"no renditions", [](OriginProfile& p) { p.renditions.clear(); }, "no renditions"},
      {"duplicate name", [](OriginProfile& p) { p.renditions[1].name = p.renditions[0].name; },
       "duplicate"},
      {"slash in name", [](OriginProfile& p) { p.renditions[0].name = "../x"; }, "name"},
      {"zero fps", [](OriginProfile& p) { p.fps = 0; }, "positive"},
      {"zero list", [](OriginProfile& p) { p.list_size = 0; }, "positive"},
      {"bad preset", [](OriginProfile& p) { p.x264_preset = "warp"; }, "preset"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    OriginProfile p = MustFind("abr");
    c.mutate(p);
    Result<void> r = ValidateOriginProfile(p);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
    EXPECT_NE(r.error().detail.find(c.needle), std::string::npos) << r.error().detail;
  }
}

}  // namespace
}  // namespace hs::origin
