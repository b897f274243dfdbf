// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/cmcd.h"

#include <gtest/gtest.h>

namespace hs::player::cmcd {
namespace {

constexpr std::string_view kSid = "6e2fb550-c457-4a1f-8b2c-0000000000c8";

Object Segment() {
  Object o;
  o.br_kbps = 2891;
  o.tb_kbps = 2891;
  o.d_ms = 4004;
  o.bl_100ms = 216;
  o.mtp_100kbps = 251;
  o.ot = ObjectType::kVideo;
  o.st = 'v';
  return o;
}

// The first segment after a stall, before playback started: every key is set.
Object StartupStarvedSegment() {
  Object o = Segment();
  o.su = true;
  o.bs = true;
  return o;
}

TEST(Cmcd, PayloadKeysAreAlphabeticalStringsQuotedTokensBare) {
  Object o = StartupStarvedSegment();
  EXPECT_EQ(Payload(o, Session{kSid, "movie-1"}),
            "bl=21600,br=2891,bs,cid=\"movie-1\",d=4004,mtp=25100,ot=v,sf=h,"
            "sid=\"6e2fb550-c457-4a1f-8b2c-0000000000c8\",st=v,su,tb=2891");
}

TEST(Cmcd, FalseBooleansAndUnknownValuesAreNotSent) {
  Object o;
  o.ot = ObjectType::kManifest;
  EXPECT_EQ(Payload(o, Session{kSid, ""}),
            "ot=m,sf=h,sid=\"6e2fb550-c457-4a1f-8b2c-0000000000c8\"");
  o.st = 'l';
  o.bl_100ms = 5;  // bl only with audio or video objects
  EXPECT_EQ(Payload(o, Session{}), "ot=m,sf=h,st=l");
  o.ot = ObjectType::kMuxed;
  o.bl_100ms = 0;  // an empty buffer is a value
  EXPECT_EQ(Payload(o, Session{}), "bl=0,ot=av,sf=h,st=l");
}

TEST(Cmcd, StringsEscapeQuoteAndBackslash) {
  EXPECT_EQ(Payload(Object{}, Session{"", "a\"b\\c"}), "cid=\"a\\\"b\\\\c\",sf=h");
}

TEST(Cmcd, RoundingRules) {
  EXPECT_EQ(Kbps(2'891'000), 2891u);
  EXPECT_EQ(Kbps(949'500), 950u);  // nearest kbps
  EXPECT_EQ(Kbps(949'499), 949u);
  EXPECT_EQ(Millis(4.0046), 4005u);  // nearest ms
  EXPECT_EQ(Millis(4.0044), 4004u);
  EXPECT_EQ(Millis(6.0), 6000u);
  EXPECT_EQ(Millis(-1), 0u);
  // bl: nearest 100 ms; mtp: nearest 100 kbps.
  EXPECT_EQ(BufferLength100ms(21.64), 216);
  EXPECT_EQ(BufferLength100ms(21.66), 217);
  EXPECT_EQ(BufferLength100ms(0.04), 0);
  EXPECT_EQ(BufferLength100ms(-3), 0);
  EXPECT_EQ(Throughput100kbps(25'149'000), 251);
  EXPECT_EQ(Throughput100kbps(25'150'000), 252);
  EXPECT_EQ(Throughput100kbps(1e15), 65534);  // clamped below kUnknown
}

TEST(Cmcd, HeadersSplitKeysPerCta5004) {
  Object o = StartupStarvedSegment();
  EXPECT_EQ(HeaderLines(o, Session{kSid, "c"}),
            "CMCD-Object: br=2891,d=4004,ot=v,tb=2891\r\n"
            "CMCD-Request: bl=21600,mtp=25100,su\r\n"
            "CMCD-Session: cid=\"c\",sf=h,sid=\"6e2fb550-c457-4a1f-8b2c-0000000000c8\",st=v\r\n"
            "CMCD-Status: bs\r\n");
  // Headers without keys are left out.
  Object m;
  m.ot = ObjectType::kManifest;
  EXPECT_EQ(HeaderLines(m, Session{}), "CMCD-Object: ot=m\r\nCMCD-Session: sf=h\r\n");
}

TEST(Cmcd, QueryIsOnePercentEncodedParameter) {
  Object o;
  o.ot = ObjectType::kInit;
  o.br_kbps = 950;
  const Session s{"ab", ""};
  EXPECT_EQ(AppendQuery("http://h/v/init.mp4", o, s),
            "http://h/v/init.mp4?CMCD=br%3D950%2Cot%3Di%2Csf%3Dh%2Csid%3D%22ab%22");
  EXPECT_EQ(AppendQuery("http://h/s.ts?tok=1", o, s),
            "http://h/s.ts?tok=1&CMCD=br%3D950%2Cot%3Di%2Csf%3Dh%2Csid%3D%22ab%22");
  EXPECT_EQ(AppendQuery("http://h/s.ts?", o, s),
            "http://h/s.ts?CMCD=br%3D950%2Cot%3Di%2Csf%3Dh%2Csid%3D%22ab%22");
  EXPECT_EQ(AppendQuery("http://h/s.ts#t=1", o, s),
            "http://h/s.ts?CMCD=br%3D950%2Cot%3Di%2Csf%3Dh%2Csid%3D%22ab%22#t=1");
}

TEST(Cmcd, SessionIdIsUuidV4ShapedAndPerViewer) {
  const std::string prefix = SessionPrefix(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  ASSERT_EQ(prefix.size(), 24u);
  EXPECT_EQ(prefix, "01234567-89ab-4def-bedc-");  // version 4, variant 10xx
  EXPECT_EQ(SessionId(prefix, 200), "01234567-89ab-4def-bedc-0000000000c8");
  EXPECT_EQ(SessionId(prefix, 0xabcdef012345ULL), "01234567-89ab-4def-bedc-abcdef012345");
  EXPECT_NE(SessionId(prefix, 1), SessionId(prefix, 2));
  EXPECT_EQ(SessionPrefix(~0ULL, ~0ULL), "ffffffff-ffff-4fff-bfff-");
}

static_assert(sizeof(Object) <= 20, "kept in every FetchRequest");

}  // namespace
}  // namespace hs::player::cmcd
