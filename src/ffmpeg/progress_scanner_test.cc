// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/progress_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ffmpeg/log_test_util.h"

namespace hs::ffmpeg {
namespace {

class CollectingProgress : public ProgressListener {
 public:
  void OnProgress(const ProgressBlock& block) override { blocks.push_back(block); }
  std::vector<ProgressBlock> blocks;
};

std::string FixturePath(const std::string& name) {
  return std::string(HS_FIXTURE_DIR) + "/" + name;
}

std::vector<ProgressBlock> Scan(std::string_view bytes, size_t piece = 0,
                                ProgressScanner* scanner_out = nullptr) {
  ProgressScanner local;
  ProgressScanner& scanner = scanner_out ? *scanner_out : local;
  CollectingProgress got;
  if (piece == 0) piece = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += piece) scanner.Feed(bytes.substr(i, piece), got);
  scanner.Finish(got);
  return got.blocks;
}

bool SameBlock(const ProgressBlock& a, const ProgressBlock& b) {
  return a.frame == b.frame && a.fps == b.fps && a.bitrate_kbps == b.bitrate_kbps &&
         a.total_size_bytes == b.total_size_bytes && a.out_time_us == b.out_time_us &&
         a.has_out_time == b.has_out_time && a.dup_frames == b.dup_frames &&
         a.drop_frames == b.drop_frames && a.speed == b.speed && a.end == b.end &&
         a.arrival == b.arrival;
}

// ffmpeg-client-sample-progress-stdout.txt, read by eye and with grep: 11 blocks (10
// `progress=continue`, 1 `progress=end`), bitrate and total_size always N/A, dup/drop 0.
TEST(ProgressScannerFixtureTest, SampleStdout) {
  const std::string bytes =
      test_util::ReadFileBytes(FixturePath("ffmpeg-client-sample-progress-stdout.txt"));
  ASSERT_FALSE(bytes.empty());
  ProgressScanner scanner;
  const auto blocks = Scan(bytes, 0, &scanner);
  ASSERT_EQ(blocks.size(), 11u);
  const int64_t kFrames[] = {1, 150, 200, 250, 300, 350, 400, 450, 500, 550, 599};
  const int64_t kOutUs[] = {11,       6016000,  8000000,  10005333, 12010667, 14016000,
                            16000000, 18005333, 20010667, 22016000, 24000000};
  const double kSpeeds[] = {-1, 2.99, 1.99, 1.66, 1.5, 1.4, 1.32, 1.28, 1.24, 1.22, 1.19};
  for (size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(blocks[i].frame, kFrames[i]);
    EXPECT_TRUE(blocks[i].has_out_time);
    EXPECT_EQ(blocks[i].out_time_us, kOutUs[i]);
    EXPECT_DOUBLE_EQ(blocks[i].speed, kSpeeds[i]);
    EXPECT_EQ(blocks[i].bitrate_kbps, -1);
    EXPECT_EQ(blocks[i].total_size_bytes, -1);
    EXPECT_EQ(blocks[i].dup_frames, 0);
    EXPECT_EQ(blocks[i].drop_frames, 0);
    EXPECT_EQ(blocks[i].end, i == 10);
  }
  EXPECT_DOUBLE_EQ(blocks[1].fps, 74.54);
  EXPECT_DOUBLE_EQ(blocks[10].fps, 29.79);
  EXPECT_EQ(scanner.Counters().lines, 132u);
  EXPECT_EQ(scanner.Counters().blocks, 11u);
  EXPECT_EQ(scanner.Counters().malformed_lines, 0u);
  EXPECT_EQ(scanner.Counters().truncated_lines, 0u);

  for (const size_t piece : {size_t{1}, size_t{3}, size_t{64}}) {
    const auto pieces = Scan(bytes, piece);
    ASSERT_EQ(pieces.size(), blocks.size()) << piece;
    for (size_t i = 0; i < blocks.size(); ++i) EXPECT_TRUE(SameBlock(pieces[i], blocks[i])) << i;
  }
}

// Every other capture is stderr: it holds no `progress=` line, so no block may come out of it,
// whatever `key=value`-looking text (`frame=  150 fps= 75 …`) it contains.
TEST(ProgressScannerFixtureTest, NoBlocksFromStderrCaptures) {
  int files = 0;
  for (const char* dir : {"", "failures/"}) {
    for (const auto& entry : std::filesystem::directory_iterator(FixturePath(dir))) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || name == "README.md" ||
          name.find("progress-stdout") != std::string::npos) {
        continue;
      }
      ++files;
      const std::string bytes =
          test_util::JoinChunks(test_util::LoadFixture(entry.path().string()));
      EXPECT_TRUE(Scan(bytes).empty()) << name;
      EXPECT_TRUE(Scan(bytes, 1).empty()) << name;
    }
  }
  EXPECT_EQ(files, 27);
}

TEST(ProgressScannerTest, ValuesAndNotAvailable) {
  const auto blocks = Scan(
      "frame=12\nfps=25.00\nstream_0_0_q=-1.0\nbitrate=2712.3kbits/s\ntotal_size=123456\n"
      "out_time_us=-23220\nout_time_ms=-23220\nout_time=-00:00:00.023220\n"
      "dup_frames=2\ndrop_frames=5\nspeed=   1x\nprogress=continue\n"
      "frame=13\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nout_time_ms=N/A\n"
      "out_time=N/A\nspeed=N/A\nprogress=end\n");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].frame, 12);
  EXPECT_DOUBLE_EQ(blocks[0].fps, 25);
  EXPECT_DOUBLE_EQ(blocks[0].bitrate_kbps, 2712.3);
  EXPECT_EQ(blocks[0].total_size_bytes, 123456);
  EXPECT_EQ(blocks[0].out_time_us, -23220);
  EXPECT_EQ(blocks[0].dup_frames, 2);
  EXPECT_EQ(blocks[0].drop_frames, 5);
  EXPECT_DOUBLE_EQ(blocks[0].speed, 1);
  EXPECT_FALSE(blocks[0].end);
  // The second block starts clean: nothing leaks from the first.
  EXPECT_EQ(blocks[1].frame, 13);
  EXPECT_EQ(blocks[1].fps, -1);
  EXPECT_EQ(blocks[1].bitrate_kbps, -1);
  EXPECT_EQ(blocks[1].total_size_bytes, -1);
  EXPECT_FALSE(blocks[1].has_out_time);
  EXPECT_EQ(blocks[1].dup_frames, 0);
  EXPECT_EQ(blocks[1].speed, -1);
  EXPECT_TRUE(blocks[1].end);
}

TEST(ProgressScannerTest, OutTimePreference) {
  // out_time_us wins whatever the order; out_time_ms (also µs) beats out_time.
  auto blocks = Scan(
      "out_time=00:00:01.000000\nout_time_us=2000000\nout_time_ms=3000000\n"
      "progress=continue\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].out_time_us, 2000000);
  blocks = Scan("out_time_ms=3000000\nout_time=00:00:01.5\nprogress=continue\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].out_time_us, 3000000);
  blocks = Scan("out_time=01:02:03.250000\nprogress=continue\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].out_time_us, 3723250000);
}

TEST(ProgressScannerTest, ArrivalIsThatOfTheProgressLine) {
  ProgressScanner scanner;
  CollectingProgress got;
  const SteadyTime t1 = SteadyTime{} + std::chrono::seconds(1);
  const SteadyTime t2 = SteadyTime{} + std::chrono::seconds(2);
  scanner.Feed("frame=1\nspeed=2x\nprogr", got, t1);
  EXPECT_TRUE(got.blocks.empty());
  scanner.Feed("ess=continue\r\n", got, t2);
  ASSERT_EQ(got.blocks.size(), 1u);
  EXPECT_EQ(got.blocks[0].arrival, t2);
  EXPECT_DOUBLE_EQ(got.blocks[0].speed, 2);
}

TEST(ProgressScannerTest, MalformedAndTruncatedLines) {
  for (const size_t piece : {size_t{1}, size_t{5}, size_t{0}}) {
    ProgressScanner scanner(32);
    const std::string input =
        "garbage\nframe=abc\nspeed=fast\n" + std::string(5000, 'k') + "=1\nprogress=continue\n";
    const auto blocks = Scan(input, piece, &scanner);
    ASSERT_EQ(blocks.size(), 1u) << piece;
    EXPECT_EQ(blocks[0].frame, -1);
    EXPECT_EQ(blocks[0].speed, -1);
    EXPECT_EQ(scanner.Counters().malformed_lines, 4u) << piece;  // + the cut line lost its '='
    EXPECT_EQ(scanner.Counters().truncated_lines, 1u) << piece;
    EXPECT_EQ(scanner.Counters().lines, 5u) << piece;
  }
}

TEST(ProgressScannerTest, FinishFlushesLastLine) {
  ProgressScanner scanner;
  CollectingProgress got;
  scanner.Feed("speed=1.5x\nprogress=end", got);
  EXPECT_TRUE(got.blocks.empty());
  scanner.Finish(got);
  ASSERT_EQ(got.blocks.size(), 1u);
  EXPECT_TRUE(got.blocks[0].end);
  EXPECT_DOUBLE_EQ(got.blocks[0].speed, 1.5);
}

}  // namespace
}  // namespace hs::ffmpeg
