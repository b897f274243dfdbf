// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/log_scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ffmpeg/log_test_util.h"

namespace hs::ffmpeg {
namespace {

using test_util::CollectingListener;
using test_util::LoadFixture;
using test_util::OwnedEvent;
using test_util::TimedChunk;

// What each FFmpeg 5.1 capture really holds, established with grep -c over the raw records
// (timestamped files decoded first), not with this parser:
//   opens     grep "Opening '…' for reading", split by URL (.m3u8 → playlist, else segment)
//   new_conn  opens whose prefix is not [http @ …]
//   http_*    "HTTP error NNN", "http_code=" (trace)
//   status    records starting with frame=/size= and holding " speed="; last_speed of the last
//             one that is not N/A (-1: none)
//   input     "<url>: <error>" before the input header; corrupt: "corrupt input packet"
//   noise     "Skip ('#EXT-X-…')"
struct FixtureCounts {
  const char* file;
  int playlist_opens, segment_opens, new_conn, hls_requests;
  int http_404, http_other, http_responses;
  int seg_failed, seg_skipped, expired_events, expired_segments, reload_failed, dropped;
  int reconnects, keepalive, connect_failed, connect_attempt_failed;
  int status;
  double last_speed;
  int input_open_failed, corrupt, noise;
};

// clang-format off
constexpr FixtureCounts kFixtures[] = {
  // file                                            pl seg new hls  404 oth rsp  sgF sk xE xN rld drp rec ka  cF cA  st  speed  iof crp noise
  {"ffmpeg-client-sample-abr-all-stderr.txt",        17, 21, 5, 21,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   9, 1.24,  0, 0,  35},
  {"ffmpeg-client-sample-abr-p1-stderr.txt",         10, 13, 5, 13,  0, 0, 0,    0, 0, 0, 0, 0, 1,   0, 0,  0, 0,   9, 1.25,  0, 0,  21},
  {"ffmpeg-client-sample-debug-stderr.txt",           2,  4, 4,  4,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   1, -1,    0, 0,  24},
  {"ffmpeg-client-sample-info-stderr.txt",            9, 13, 2,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,  11, 1.2,   0, 0, 132},
  {"ffmpeg-client-sample-level-verbose-stderr.txt",   4,  8, 2,  8,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   6, 1.4,   0, 0,  72},
  {"ffmpeg-client-sample-progress-stderr.txt",        9, 13, 2,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,  11, 1.19,  0, 0, 132},
  {"ffmpeg-client-sample-trace-stderr.txt",           1,  2, 3,  2,  0, 0, 3,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   0, -1,    0, 0,  12},
  {"ffmpeg-client-sample-verbose-stderr.txt",         6, 10, 2, 10,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   8, 1.28,  0, 0,  96},
  {"failures/fail-404-playlist.raw.txt",              0,  0, 0,  0,  1, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   0, -1,    1, 0,   0},
  {"failures/fail-frozen-origin-nortw.raw.txt",       0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   0, -1,    1, 0,   0},
  {"failures/fail-frozen-origin-rw5s.raw.txt",        0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   0, -1,    1, 0,   0},
  {"failures/fail-frozen-origin-timeout5s.raw.txt",   0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   0, -1,    1, 0,   0},
  {"failures/fail-refused-reconn-neterr.raw.txt",     0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   3, 0,  4, 0,   0, -1,    1, 0,   0},
  {"failures/fail-refused-reconn.raw.txt",            0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  1, 0,   0, -1,    1, 0,   0},
  {"failures/fail-refused.raw.txt",                   0,  0, 0,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  1, 0,   0, -1,    1, 0,   0},
  {"failures/mid-freeze-nortw.timestamped-noskip.txt",17, 30, 2, 30,  0, 0, 0,    0, 0, 1, 3, 0, 0,   0, 0,  0, 0,  19, 1.05,  0, 1,   0},
  {"failures/mid-freeze-nortw.timestamped.txt",       7, 20, 2, 20,  0, 0, 0,    0, 0, 1, 3, 0, 0,   0, 0,  0, 0,   9, 1.08,  0, 1, 108},
  {"failures/mid-freeze-rw5s.timestamped.txt",        4,  7, 2,  7,  0, 0, 0,    0, 0, 0, 0, 2, 0,   0, 1,  0, 0,   7, 0.552, 0, 0,  60},
  {"failures/mid-seg404.timestamped-noskip.txt",     25, 29, 8, 26,  6, 0, 0,    3, 0, 0, 0, 0, 0,   0, 3,  0, 0,  21, 1.08,  0, 3,   0},
  {"failures/mid-seg404.timestamped.txt",             8, 11, 4, 10,  2, 0, 0,    1, 0, 0, 0, 0, 0,   0, 1,  0, 0,   7, 1.28,  0, 1, 120},
  {"failures/mid-slowseg.timestamped.txt",            6, 14, 2, 14,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,  40, 0.655, 0, 0,  94},
  {"failures/mid-stop-default.timestamped.txt",       4,  8, 2,  8,  0, 0, 0,    0, 0, 0, 0, 2, 0,   0, 0,  2, 2,   7, 1.6,   0, 0,  60},
  {"failures/mid-stop-reconnect.timestamped.txt",     4,  7, 2,  7,  0, 0, 0,    0, 0, 0, 0, 2, 0,   0, 0,  2, 2,   7, 1.4,   0, 0,  60},
  {"failures/mid-stop-xerror.timestamped.txt",        6,  9, 2,  0,  0, 0, 0,    0, 0, 0, 0, 2, 0,   0, 0,  2, 0,   9, 1.28,  0, 0,  84},
  {"failures/mid-stop6s-reconnect.timestamped.txt",   4,  7, 2,  7,  0, 0, 0,    0, 0, 0, 0, 2, 0,   0, 0,  2, 2,   7, 1.4,   0, 0,  60},
  {"failures/stale-default.timestamped.txt",         17,  3, 2,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   1, 11,    0, 0,  19},
  {"failures/stale-hold5.timestamped.txt",            4,  3, 2,  0,  0, 0, 0,    0, 0, 0, 0, 0, 0,   0, 0,  0, 0,   3, 1,     0, 0,   6},
};
// clang-format on

std::string FixturePath(const std::string& name) {
  return std::string(HS_FIXTURE_DIR) + "/" + name;
}

/// Feeds \a chunks whole, each with its arrival time.
CollectingListener ScanChunks(const std::vector<TimedChunk>& chunks, LogScanner& scanner) {
  CollectingListener listener;
  for (const auto& chunk : chunks) scanner.Feed(chunk.bytes, listener, chunk.arrival);
  scanner.Finish(listener);
  return listener;
}

/// Feeds \a chunks in pieces of \a piece bytes.
CollectingListener ScanInPieces(const std::vector<TimedChunk>& chunks, size_t piece) {
  LogScanner scanner;
  CollectingListener listener;
  for (const auto& chunk : chunks) {
    std::string_view bytes = chunk.bytes;
    while (!bytes.empty()) {
      scanner.Feed(bytes.substr(0, piece), listener, chunk.arrival);
      bytes.remove_prefix(std::min(piece, bytes.size()));
    }
  }
  scanner.Finish(listener);
  return listener;
}

TEST(LogScannerFixtureTest, TableCoversEveryFixtureFile) {
  std::set<std::string> in_table;
  for (const auto& f : kFixtures) in_table.insert(f.file);
  int files = 0;
  for (const char* dir : {"", "failures/"}) {
    for (const auto& entry : std::filesystem::directory_iterator(FixturePath(dir))) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || name == "README.md" ||
          name.find("progress-stdout") != std::string::npos) {
        continue;  // README; the -progress output is covered by progress_scanner_test
      }
      ++files;
      EXPECT_TRUE(in_table.count(dir + name)) << "fixture without expected counts: " << name;
    }
  }
  EXPECT_EQ(files, static_cast<int>(std::size(kFixtures)));
}

class LogScannerFixtureCountsTest : public ::testing::TestWithParam<FixtureCounts> {};

TEST_P(LogScannerFixtureCountsTest, ExactCounts) {
  const FixtureCounts& want = GetParam();
  const auto chunks = LoadFixture(FixturePath(want.file));
  ASSERT_FALSE(chunks.empty()) << want.file;
  LogScanner scanner;
  const CollectingListener got = ScanChunks(chunks, scanner);

  int new_conn = 0, http_404 = 0, http_other = 0, expired = 0;
  double last_speed = -1;
  for (const auto& o : got.events) {
    const LogEvent& e = o.event;
    const bool open = e.kind == LogEventKind::kPlaylistOpen ||
                      e.kind == LogEventKind::kSegmentOpen ||
                      e.kind == LogEventKind::kInitSegmentOpen || e.kind == LogEventKind::kKeyOpen;
    if (open && e.new_connection) ++new_conn;
    if (e.kind == LogEventKind::kHttpError) ++(e.http_status == 404 ? http_404 : http_other);
    if (e.kind == LogEventKind::kSegmentsExpired) expired += static_cast<int>(e.count);
    if (e.kind == LogEventKind::kStatus && e.speed >= 0) last_speed = e.speed;
    EXPECT_FALSE(e.repeated) << want.file;
  }
  EXPECT_EQ(got.Count(LogEventKind::kPlaylistOpen), want.playlist_opens);
  EXPECT_EQ(got.Count(LogEventKind::kSegmentOpen), want.segment_opens);
  EXPECT_EQ(got.Count(LogEventKind::kInitSegmentOpen) + got.Count(LogEventKind::kKeyOpen), 0);
  EXPECT_EQ(new_conn, want.new_conn);
  EXPECT_EQ(got.Count(LogEventKind::kHlsRequest), want.hls_requests);
  EXPECT_EQ(http_404, want.http_404);
  EXPECT_EQ(http_other, want.http_other);
  EXPECT_EQ(got.Count(LogEventKind::kHttpResponse), want.http_responses);
  EXPECT_EQ(got.Count(LogEventKind::kSegmentFailed), want.seg_failed);
  EXPECT_EQ(got.Count(LogEventKind::kSegmentSkipped), want.seg_skipped);
  EXPECT_EQ(got.Count(LogEventKind::kSegmentsExpired), want.expired_events);
  EXPECT_EQ(expired, want.expired_segments);
  EXPECT_EQ(got.Count(LogEventKind::kPlaylistReloadFailed), want.reload_failed);
  EXPECT_EQ(got.Count(LogEventKind::kPlaylistDropped), want.dropped);
  EXPECT_EQ(got.Count(LogEventKind::kReconnect), want.reconnects);
  EXPECT_EQ(got.Count(LogEventKind::kKeepaliveRetry), want.keepalive);
  EXPECT_EQ(got.Count(LogEventKind::kConnectFailed), want.connect_failed);
  EXPECT_EQ(got.Count(LogEventKind::kConnectAttemptFailed), want.connect_attempt_failed);
  EXPECT_EQ(got.Count(LogEventKind::kStatus), want.status);
  EXPECT_EQ(scanner.Counters().status_records, static_cast<uint64_t>(want.status));
  EXPECT_DOUBLE_EQ(last_speed, want.last_speed);
  EXPECT_EQ(got.Count(LogEventKind::kInputOpenFailed), want.input_open_failed);
  EXPECT_EQ(got.Count(LogEventKind::kInputError), 0);
  EXPECT_EQ(got.Count(LogEventKind::kCorruptPacket), want.corrupt);
  EXPECT_EQ(scanner.Counters().noise_records, static_cast<uint64_t>(want.noise));
  EXPECT_EQ(scanner.Counters().truncated_lines, 0u);
  EXPECT_EQ(scanner.Counters().events, got.events.size());
}

TEST_P(LogScannerFixtureCountsTest, ByteByByteEqualsWhole) {
  const auto chunks = LoadFixture(FixturePath(GetParam().file));
  LogScanner whole_scanner;
  const std::string whole = ScanChunks(chunks, whole_scanner).Dump();
  EXPECT_FALSE(whole.empty());
  EXPECT_EQ(ScanInPieces(chunks, 1).Dump(), whole);
  EXPECT_EQ(ScanInPieces(chunks, 7).Dump(), whole);
  EXPECT_EQ(ScanInPieces(chunks, 4096).Dump(), whole);
}

TEST_P(LogScannerFixtureCountsTest, JoinedRawBytesGiveSameKinds) {
  // The same bytes as one chunk: only arrival times may differ.
  const auto chunks = LoadFixture(FixturePath(GetParam().file));
  LogScanner a;
  LogScanner b;
  const auto per_record = ScanChunks(chunks, a);
  const auto joined = ScanChunks({{test_util::JoinChunks(chunks), SteadyTime{}}}, b);
  ASSERT_EQ(per_record.events.size(), joined.events.size());
  for (size_t i = 0; i < joined.events.size(); ++i) {
    EXPECT_EQ(per_record.events[i].event.kind, joined.events[i].event.kind);
    EXPECT_EQ(per_record.events[i].line, joined.events[i].line);
  }
}

std::string FixtureName(const ::testing::TestParamInfo<FixtureCounts>& info) {
  std::string name = info.param.file;
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Ffmpeg51, LogScannerFixtureCountsTest, ::testing::ValuesIn(kFixtures),
                         FixtureName);

TEST(LogScannerTest, ArrivalTimesFromTimestampedCapture) {
  const auto chunks = LoadFixture(FixturePath("failures/mid-freeze-rw5s.timestamped.txt"));
  LogScanner scanner;
  const CollectingListener got = ScanChunks(chunks, scanner);
  std::vector<int64_t> reload_failed_ms;
  for (const auto& o : got.events) {
    if (o.event.kind == LogEventKind::kPlaylistReloadFailed) {
      reload_failed_ms.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(o.event.arrival.time_since_epoch())
              .count());
    }
  }
  EXPECT_EQ(reload_failed_ms, (std::vector<int64_t>{20363, 25481}));
  EXPECT_TRUE(scanner.InputOpened());
}

TEST(LogScannerTest, FixtureEventDetails) {
  LogScanner scanner;
  const auto got =
      ScanChunks(LoadFixture(FixturePath("failures/fail-refused-reconn-neterr.raw.txt")), scanner);
  std::vector<int> delays;
  for (const auto& o : got.events) {
    if (o.event.kind == LogEventKind::kReconnect) delays.push_back(o.event.delay_s);
    if (o.event.kind == LogEventKind::kConnectFailed) {
      EXPECT_EQ(o.url, "tcp://127.0.0.1:17099");
      EXPECT_EQ(o.message, "Connection refused");
    }
  }
  EXPECT_EQ(delays, (std::vector<int>{0, 1, 3}));
  ASSERT_FALSE(got.events.empty());
  const OwnedEvent& last = got.events.back();
  EXPECT_EQ(last.event.kind, LogEventKind::kInputOpenFailed);
  EXPECT_EQ(last.url, "http://127.0.0.1:17099/live/stream.m3u8");
  EXPECT_EQ(last.message, "Connection refused");
  EXPECT_FALSE(scanner.InputOpened());

  LogScanner s404;
  const auto got404 =
      ScanChunks(LoadFixture(FixturePath("failures/fail-404-playlist.raw.txt")), s404);
  ASSERT_EQ(got404.events.size(), 2u);
  EXPECT_EQ(got404.events[1].event.kind, LogEventKind::kInputOpenFailed);
  EXPECT_EQ(got404.events[1].event.http_status, 404);

  LogScanner seg404;
  const auto got_seg =
      ScanChunks(LoadFixture(FixturePath("failures/mid-seg404.timestamped.txt")), seg404);
  int keepalive_seen = 0;
  for (const auto& o : got_seg.events) {
    if (o.event.kind == LogEventKind::kKeepaliveRetry) {
      ++keepalive_seen;
      EXPECT_EQ(o.url, "http://127.0.0.1:17081/holes/seg_00837.ts");
      EXPECT_EQ(o.event.http_status, 404);
    }
    if (o.event.kind == LogEventKind::kSegmentFailed) {
      EXPECT_EQ(o.event.segment, 837);
    }
  }
  EXPECT_EQ(keepalive_seen, 1);
}

TEST(LogScannerTest, LevelTagsFromLevelFixture) {
  LogScanner scanner;
  const auto got = ScanChunks(
      LoadFixture(FixturePath("ffmpeg-client-sample-level-verbose-stderr.txt")), scanner);
  ASSERT_FALSE(got.events.empty());
  for (const auto& o : got.events) {
    const LogLevelTag want =
        o.event.kind == LogEventKind::kHlsRequest ? LogLevelTag::kVerbose : LogLevelTag::kInfo;
    EXPECT_EQ(o.event.level, want) << o.line;
  }
}

// FFmpeg 6.1+ `-loglevel repeat+level+datetime` / `+time` output, built from the formats in
// libavutil/log.c: `%Y-%m-%d %H:%M:%S.%03d ` or `%H:%M:%S.%03d `, then `[ctx @ %p] `, then
// `[level] `. The status record carries the prefixes too and ends with `\r`.
constexpr std::string_view kFfmpeg61Datetime =
    "2024-05-01 12:00:00.123 [hls @ 0x55d223f4c9c0] [info] Opening "
    "'http://h/live/seg_00066.ts' for reading\n"
    "2024-05-01 12:00:00.124 [hls @ 0x55d223f4c9c0] [info] Skip ('#EXT-X-VERSION:6')\n"
    "2024-05-01 12:00:01.000 [info] frame=  150 fps= 75 q=-1.0 size=N/A time=00:00:06.00 "
    "bitrate=N/A speed=2.99x    \r"
    "2024-05-01 12:00:01.001 [http @ 0x55d22404bb40] [info] Opening "
    "'http://h/live/stream.m3u8' for reading\n"
    "2024-05-01 12:00:03.500 [hls @ 0x55d223f4c9c0] [warning] Segment 67 of playlist 0 failed "
    "too many times, skipping\n"
    "2024-05-01 12:00:04.000 [http @ 0x55d223f54880] [warning] HTTP error 503 Service "
    "Unavailable\n";

constexpr std::string_view kFfmpeg61Time =
    "12:00:00.123 [hls @ 0x55d223f4c9c0] Opening 'http://h/live/seg_00066.ts' for reading\n"
    "12:00:00.124 [hls @ 0x55d223f4c9c0] Skip ('#EXT-X-VERSION:6')\n"
    "12:00:01.000 frame=  150 fps= 75 q=-1.0 size=N/A time=00:00:06.00 bitrate=N/A "
    "speed=2.99x    \r"
    "12:00:01.001 [http @ 0x55d22404bb40] Opening 'http://h/live/stream.m3u8' for reading\n"
    "12:00:03.500 [hls @ 0x55d223f4c9c0] Segment 67 of playlist 0 failed too many times, "
    "skipping\n"
    "12:00:04.000 [http @ 0x55d223f54880] HTTP error 503 Service Unavailable\n";

void ExpectFfmpeg61Events(const CollectingListener& got, bool with_level) {
  ASSERT_EQ(got.events.size(), 5u);
  const LogEventKind kinds[] = {LogEventKind::kSegmentOpen, LogEventKind::kStatus,
                                LogEventKind::kPlaylistOpen, LogEventKind::kSegmentSkipped,
                                LogEventKind::kHttpError};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(got.events[i].event.kind, kinds[i]) << i;
  EXPECT_TRUE(got.events[0].event.new_connection);
  EXPECT_FALSE(got.events[2].event.new_connection);
  EXPECT_DOUBLE_EQ(got.events[1].event.speed, 2.99);
  EXPECT_EQ(got.events[3].event.segment, 67);
  EXPECT_EQ(got.events[4].event.http_status, 503);
  const std::string date = with_level ? "2024-05-01 " : "";
  EXPECT_EQ(got.events[0].timestamp, date + "12:00:00.123");
  EXPECT_EQ(got.events[4].timestamp, date + "12:00:04.000");
  EXPECT_EQ(got.events[1].event.level, with_level ? LogLevelTag::kInfo : LogLevelTag::kUnknown);
  EXPECT_EQ(got.events[3].event.level, with_level ? LogLevelTag::kWarning : LogLevelTag::kUnknown);
}

TEST(LogScannerTest, Ffmpeg61TimestampPrefixes) {
  for (const bool with_level : {true, false}) {
    const std::string_view input = with_level ? kFfmpeg61Datetime : kFfmpeg61Time;
    LogScanner whole;
    CollectingListener got;
    whole.Feed(input, got);
    whole.Finish(got);
    ExpectFfmpeg61Events(got, with_level);
    EXPECT_EQ(whole.Counters().noise_records, 1u);
    EXPECT_EQ(ScanInPieces({{std::string(input), SteadyTime{}}}, 1).Dump(), got.Dump());
  }
}

TEST(LogScannerTest, LineSplitAcrossChunksGetsArrivalOfItsEnd) {
  LogScanner scanner;
  CollectingListener got;
  const SteadyTime t1 = SteadyTime{} + std::chrono::seconds(1);
  const SteadyTime t2 = SteadyTime{} + std::chrono::seconds(2);
  scanner.Feed("frame=  1 fps=0.0 time=00:00:00.00 bitrate=N/A speed=N/A    \r[hls @ 0x1] Fail",
               got, t1);
  scanner.Feed("ed to reload playlist 0\n", got, t2);
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.events[0].event.arrival, t1);
  EXPECT_EQ(got.events[1].event.kind, LogEventKind::kPlaylistReloadFailed);
  EXPECT_EQ(got.events[1].event.arrival, t2);
}

TEST(LogScannerTest, FinishFlushesUnterminatedRecord) {
  LogScanner scanner;
  CollectingListener got;
  scanner.Feed("[hls @ 0x1] Failed to reload playlist 2", got);
  EXPECT_TRUE(got.events.empty());
  scanner.Finish(got);
  ASSERT_EQ(got.events.size(), 1u);
  EXPECT_EQ(got.events[0].event.playlist, 2);
  scanner.Finish(got);
  EXPECT_EQ(got.events.size(), 1u);
}

TEST(LogScannerTest, LongLinesAreTruncatedAndCounted) {
  LogScannerOptions options;
  options.max_line_bytes = 64;
  for (const size_t piece : {size_t{1}, size_t{10}, size_t{100000}}) {
    LogScanner scanner(options);
    CollectingListener got;
    const std::string input = "[hls @ 0x1] Failed to reload playlist 7\n" +
                              std::string(20000, 'x') + "\r" + std::string(100, 'y') + "\n" +
                              "[hls @ 0x1] Failed to reload playlist 8\n";
    for (size_t i = 0; i < input.size(); i += piece) {
      scanner.Feed(std::string_view(input).substr(i, piece), got);
    }
    scanner.Finish(got);
    EXPECT_EQ(scanner.Counters().truncated_lines, 2u) << piece;
    EXPECT_EQ(scanner.Counters().records, 4u) << piece;
    ASSERT_EQ(got.Count(LogEventKind::kPlaylistReloadFailed), 2) << piece;
    EXPECT_EQ(got.events.back().event.playlist, 8);
    for (const auto& line : scanner.RecentLines()) EXPECT_LE(line.size(), 64u);
  }
}

TEST(LogScannerTest, LastMessageRepeatedReemitsPreviousEvent) {
  LogScanner scanner;
  CollectingListener got;
  scanner.Feed(
      "[http @ 0x1] HTTP error 404 Not Found\n"
      "    Last message repeated 2 times\n"
      "[tcp @ 0x2] Successfully connected to 127.0.0.1 port 80\n"
      "    Last message repeated 5 times\n"
      "[hls @ 0x1] Failed to reload playlist 0\n",
      got);
  EXPECT_EQ(got.Count(LogEventKind::kHttpError), 3);
  EXPECT_EQ(got.Count(LogEventKind::kPlaylistReloadFailed), 1);
  ASSERT_EQ(got.events.size(), 4u);
  EXPECT_FALSE(got.events[0].event.repeated);
  EXPECT_TRUE(got.events[1].event.repeated);
  EXPECT_TRUE(got.events[2].event.repeated);
  EXPECT_EQ(got.events[2].event.http_status, 404);
  EXPECT_EQ(scanner.Counters().events, 4u);
}

TEST(LogScannerTest, RecentLinesKeepsLastNonStatusNonNoiseRecords) {
  LogScannerOptions options;
  options.recent_lines = 3;
  LogScanner scanner(options);
  CollectingListener got;
  scanner.Feed("line 1\nline 2\n[hls @ 0x1] Skip ('#EXT-X-VERSION:6')\nline 3\n", got);
  EXPECT_EQ(scanner.RecentLines(), (std::vector<std::string>{"line 1", "line 2", "line 3"}));
  scanner.Feed("frame=  1 fps=0.0 time=00:00:00.00 bitrate=N/A speed=1x    \rline 4\r\n", got);
  EXPECT_EQ(scanner.RecentLines(), (std::vector<std::string>{"line 2", "line 3", "line 4"}));
  EXPECT_EQ(scanner.Counters().records, 6u);
  EXPECT_EQ(scanner.Counters().status_records, 1u);

  LogScanner empty_ring(LogScannerOptions{8192, 0, 512});
  empty_ring.Feed("line\n", got);
  EXPECT_TRUE(empty_ring.RecentLines().empty());
}

}  // namespace
}  // namespace hs::ffmpeg
