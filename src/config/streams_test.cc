// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/streams.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "config/cli_test_util.h"

namespace hs::config {
namespace {

TEST(StreamAssigner, SplitsExactlyByWeight) {
  StreamAssigner a({3, 1});
  EXPECT_EQ(a.Counts(0, 40), (std::vector<int>{30, 10}));
  EXPECT_EQ(a.Counts(0, 8), (std::vector<int>{6, 2}));
  // Smooth: the light stream is not starved at the start (nginx's order a a b a).
  EXPECT_EQ(a.StreamOf(0), 0u);
  EXPECT_EQ(a.StreamOf(2), 1u);
  StreamAssigner b({5, 1, 1});
  EXPECT_EQ(b.Counts(0, 70), (std::vector<int>{50, 10, 10}));
  // The same id always maps to the same stream (restarts keep their stream).
  EXPECT_EQ(b.StreamOf(12345), b.StreamOf(12345));
  EXPECT_EQ(StreamAssigner().StreamOf(7), 0u);
}

TEST(EngineAssigner, SpreadsEachStreamsViewersByPercent) {
  // One stream, 90:10: one FFmpeg viewer in every 10 consecutive ids, never bunched.
  const EngineAssigner one(StreamAssigner(), {90, 10});
  EXPECT_EQ(one.Counts(0, 100), (std::vector<int>{90, 10}));
  EXPECT_EQ(one.Counts(0, 1000), (std::vector<int>{900, 100}));
  for (int first = 0; first < 200; first += 10) {
    EXPECT_EQ(one.Counts(first, 10), (std::vector<int>{9, 1})) << first;
  }
  // 50:50 alternates from the first id, so 6 viewers split 3/3 (ids 0, 2, 4 native).
  const EngineAssigner half(StreamAssigner(), {50, 50});
  EXPECT_EQ(half.Counts(0, 6), (std::vector<int>{3, 3}));
  EXPECT_EQ(half.EngineOf(0), 0u);
  EXPECT_EQ(half.EngineOf(1), 1u);
  EXPECT_EQ(half.EngineOf(4), 0u);
  // Deterministic: a restarted viewer keeps its engine; negative ids get the first.
  EXPECT_EQ(one.EngineOf(98765), one.EngineOf(98765));
  EXPECT_EQ(one.EngineOf(-1), 0u);
  EXPECT_EQ(EngineAssigner().EngineOf(7), 0u);
  // Two equal streams and 50:50: routed first by stream (ids alternate streams), then by
  // engine, so each stream still gets both engines half and half (by id alone, stream 0
  // would get every native viewer).
  const StreamAssigner streams({1, 1});
  const EngineAssigner both(streams, {50, 50});
  int per[2][2] = {};
  for (int id = 0; id < 400; ++id) ++per[streams.StreamOf(id)][both.EngineOf(id)];
  EXPECT_EQ(per[0][0], 100);
  EXPECT_EQ(per[0][1], 100);
  EXPECT_EQ(per[1][0], 100);
  EXPECT_EQ(per[1][1], 100);
  // Ranks within a stream count that stream's viewers only.
  const StreamAssigner w({3, 1});
  EXPECT_EQ(w.RankOf(0), 0);
  EXPECT_EQ(w.RankOf(1), 1);
  EXPECT_EQ(w.RankOf(2), 0);  // the first viewer of stream 1
  EXPECT_EQ(w.RankOf(3), 2);
  EXPECT_EQ(w.RankOf(4 * 1000 + 2), 1000);
}

TEST(StreamLists, ParsesWeightsAndComments) {
  auto l = ParseStreamList("# channels\nhttp://a/x.m3u8 3\n\n  http://b/y.m3u8#frag   # b\n", "");
  ASSERT_TRUE(l) << l.error().detail;
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].url, "http://a/x.m3u8");
  EXPECT_EQ((*l)[0].weight, 3);
  EXPECT_EQ((*l)[1].url, "http://b/y.m3u8#frag");
  EXPECT_EQ((*l)[1].weight, 1);
  auto e = ParseStreamList("http://a/x.m3u8 3;http://b/y.m3u8", ";");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->size(), 2u);
  EXPECT_FALSE(ParseStreamList("# nothing\n\n", ""));
  auto bad = ParseStreamList("http://a/x.m3u8\nhttp://b/y.m3u8 zero\n", "");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("entry 2"), std::string::npos) << bad.error().detail;
  EXPECT_FALSE(ParseWeights("3,0"));
  EXPECT_FALSE(ParseWeights("3,,1"));
  EXPECT_FALSE(ParseWeights("1001"));
  EXPECT_EQ(*ParseWeights("3, 1"), (std::vector<int>{3, 1}));
}

TEST(StreamLabels, IndexAndHostOnly) {
  EXPECT_EQ(StreamLabel(0, "https://u:p@cdn.example:8443/live/a.m3u8?token=s3cret"),
            "0:cdn.example");
  EXPECT_EQ(StreamLabel(3, "http://[::1]:8080/x.m3u8"), "3:[::1]");
  EXPECT_EQ(RedactQuery("https://u:p@h/p.m3u8?token=abc&exp=1#x"),
            "https://h/p.m3u8?token=REDACTED&exp=REDACTED#REDACTED");
  EXPECT_EQ(RedactQuery("http://h/p.m3u8"), "http://h/p.m3u8");
  EXPECT_EQ(RedactQuery("http://h/p.m3u8?sig"), "http://h/p.m3u8?REDACTED");
}

struct StreamsCli : CliTest {};

TEST_F(StreamsCli, SeveralUrlArgumentsAndWeights) {
  Config c = Ok({"-weights", "3,1", "http://a:1/x.m3u8", "http://b:2/y.m3u8"});
  ASSERT_EQ(c.streams.size(), 2u);
  EXPECT_EQ(c.stream_url, "http://a:1/x.m3u8");
  EXPECT_EQ(c.streams[0].weight, 3);
  EXPECT_EQ(c.streams[1].url, "http://b:2/y.m3u8");
  EXPECT_EQ(c.streams[1].weight, 1);
  Config one = Ok({kUrl});
  ASSERT_EQ(one.streams.size(), 1u);
  EXPECT_EQ(one.streams[0].weight, 1);
}

TEST_F(StreamsCli, StreamsEnvironment) {
  env_["STREAMS"] = "http://a/x.m3u8 2;http://b/y.m3u8";
  Config c = Ok({});
  ASSERT_EQ(c.streams.size(), 2u);
  EXPECT_EQ(c.streams[0].weight, 2);
  // A URL argument wins over the environment.
  EXPECT_EQ(Ok({kUrl}).streams.size(), 1u);
}

TEST_F(StreamsCli, StreamsFile) {
  const std::string path = testing::TempDir() + "streams_test_list.txt";
  {
    std::ofstream f(path);
    f << "# two channels\nhttp://a/x.m3u8 3\nhttp://b/y.m3u8 1\n";
  }
  Config c = Ok({"-streams", path});
  ASSERT_EQ(c.streams.size(), 2u);
  EXPECT_EQ(c.streams[0].weight, 3);
  // -weights overrides the file's.
  EXPECT_EQ(Ok({"-streams", path, "-weights", "1,4"}).streams[1].weight, 4);
  CliOutcome both = Parse({"-streams", path, kUrl});
  EXPECT_EQ(both.action, Action::kUsageError);
  {
    std::ofstream f(path);
    f << "# nothing\n";
  }
  CliOutcome empty = Parse({"-streams", path});
  EXPECT_EQ(empty.action, Action::kUsageError);
  EXPECT_NE(Joined(empty.errors).find("no stream URL"), std::string::npos) << Joined(empty.errors);
  std::remove(path.c_str());
  CliOutcome missing = Parse({"-streams", path});
  EXPECT_EQ(missing.action, Action::kUsageError);
}

TEST_F(StreamsCli, UsageErrors) {
  CliOutcome mismatch = Parse({"-weights", "3,1,1", "http://a/x.m3u8", "http://b/y.m3u8"});
  EXPECT_EQ(mismatch.action, Action::kUsageError);
  EXPECT_NE(Joined(mismatch.errors).find("3 weight(s) for 2 stream(s)"), std::string::npos)
      << Joined(mismatch.errors);
  CliOutcome zero = Parse({"-weights", "3,0", "http://a/x.m3u8", "http://b/y.m3u8"});
  EXPECT_EQ(zero.action, Action::kUsageError);
  CliOutcome bad_url = Parse({"http://a/x.m3u8", "ftp://b/y.m3u8"});
  EXPECT_EQ(bad_url.action, Action::kUsageError);
  EXPECT_NE(Joined(bad_url.errors).find("ftp://b/y.m3u8"), std::string::npos)
      << Joined(bad_url.errors);
  std::vector<std::string> many;
  for (int i = 0; i < 17; ++i) many.push_back("http://h" + std::to_string(i) + "/x.m3u8");
  EXPECT_EQ(Parse(many).action, Action::kUsageError);
}

}  // namespace
}  // namespace hs::config
