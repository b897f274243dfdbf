// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/attribute_list.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hs::hls {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Flatten(const AttributeList& list) {
  Pairs out;
  for (const Attribute& a : list.attributes()) out.emplace_back(a.name, a.value);
  return out;
}

TEST(PlaylistAttributeListTest, ParsesTable) {
  const std::pair<const char*, Pairs> cases[] = {
      {"", {}},
      {"BANDWIDTH=800000", {{"BANDWIDTH", "800000"}}},
      {"BANDWIDTH=1,RESOLUTION=640x360", {{"BANDWIDTH", "1"}, {"RESOLUTION", "640x360"}}},
      {R"(CODECS="avc1.4d401f,mp4a.40.2",BANDWIDTH=5)",
       {{"CODECS", "avc1.4d401f,mp4a.40.2"}, {"BANDWIDTH", "5"}}},
      {R"(URI="a=b,c",IV=0x0123)", {{"URI", "a=b,c"}, {"IV", "0x0123"}}},
      {R"(NAME="",DEFAULT=YES)", {{"NAME", ""}, {"DEFAULT", "YES"}}},
      {" BANDWIDTH=1 , AUDIO=\"aac\" ,X=y", {{"BANDWIDTH", "1"}, {"AUDIO", "aac"}, {"X", "y"}}},
      {"A=1,", {{"A", "1"}}},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    Result<AttributeList> list = ParseAttributeList(text);
    ASSERT_TRUE(list) << list.error().detail;
    EXPECT_EQ(Flatten(*list), want);
  }
}

TEST(PlaylistAttributeListTest, RejectsMalformed) {
  const std::pair<const char*, const char*> cases[] = {
      {"BANDWIDTH", "has no '='"},
      {"A=1,B,C=2", "\"B\" has no '='"},
      {"=1", "empty name"},
      {R"(URI="unterminated)", "unterminated quoted value of attribute URI"},
      {R"(URI="a"b,C=1)", "junk after the quoted value"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    Result<AttributeList> list = ParseAttributeList(text);
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error().code, ErrorCode::kParse);
    EXPECT_NE(list.error().detail.find(want), std::string::npos) << list.error().detail;
  }
}

TEST(PlaylistAttributeListTest, FindAndFindUint) {
  Result<AttributeList> list = ParseAttributeList(R"(BANDWIDTH=1280000,B="12",C=12x,D=)");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->FindUint("BANDWIDTH"), 1280000u);
  EXPECT_EQ(list->FindUint("B"), 12u);
  EXPECT_EQ(list->FindUint("C"), std::nullopt);
  EXPECT_EQ(list->FindUint("D"), std::nullopt);
  EXPECT_EQ(list->FindUint("bandwidth"), std::nullopt) << "names are case-sensitive";
  EXPECT_EQ(list->Find("D"), "");
  EXPECT_EQ(list->Find("E"), std::nullopt);
}

}  // namespace
}  // namespace hs::hls
