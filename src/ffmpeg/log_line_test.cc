// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/log_line.h"

#include <gtest/gtest.h>

#include <string_view>

namespace hs::ffmpeg {
namespace {

struct PrefixCase {
  std::string_view record;
  std::string_view timestamp;
  std::string_view context;
  LogLevelTag level;
  std::string_view message;
};

TEST(StripPrefixesTest, Table) {
  const PrefixCase kCases[] = {
      {"[hls @ 0x55d223f4c9c0] Opening 'x' for reading", "", "hls", LogLevelTag::kUnknown,
       "Opening 'x' for reading"},
      // 6.1+ `-loglevel +datetime+level`: `%Y-%m-%d %H:%M:%S.%03d ` comes first.
      {"2024-05-01 12:00:00.123 [hls @ 0x55d223f4c9c0] [info] Opening 'x' for reading",
       "2024-05-01 12:00:00.123", "hls", LogLevelTag::kInfo, "Opening 'x' for reading"},
      // `+time`: `%H:%M:%S.%03d `.
      {"12:00:00.123 [http @ 0x1a] [verbose] Opening 'y' for reading", "12:00:00.123", "http",
       LogLevelTag::kVerbose, "Opening 'y' for reading"},
      {"23:59:59.999 frame=    1 fps=0.0", "23:59:59.999", "", LogLevelTag::kUnknown,
       "frame=    1 fps=0.0"},
      {"[info] frame=    1 fps=0.0", "", "", LogLevelTag::kInfo, "frame=    1 fps=0.0"},
      {"[tcp @ 0x55843bb00080] [verbose] Starting connection", "", "tcp", LogLevelTag::kVerbose,
       "Starting connection"},
      {"[in#0/hls @ 0x5555] [error] Error opening input: x", "", "in#0/hls", LogLevelTag::kError,
       "Error opening input: x"},
      // Class-id prefix of newer fftools (`[name #N] ` unless memory addresses are asked for).
      {"[hls #0] Opening 'x' for reading", "", "hls", LogLevelTag::kUnknown,
       "Opening 'x' for reading"},
      {"[graph 0 input from stream 0:0 @ 0x55] msg", "", "graph 0 input from stream 0:0",
       LogLevelTag::kUnknown, "msg"},
      // Parent context first, then the logging context.
      {"[hls @ 0x1] [mpegts @ 0x2] [warning] msg", "", "mpegts", LogLevelTag::kWarning, "msg"},
      {"[NULL @ (nil)] msg", "", "NULL", LogLevelTag::kUnknown, "msg"},
      // Not prefixes.
      {"[foo] bar", "", "", LogLevelTag::kUnknown, "[foo] bar"},
      {"[hls @ 0xZZ] bar", "", "", LogLevelTag::kUnknown, "[hls @ 0xZZ] bar"},
      {"12:00:00.12 x", "", "", LogLevelTag::kUnknown, "12:00:00.12 x"},
      {"2024-05-01 12:00 x", "", "", LogLevelTag::kUnknown, "2024-05-01 12:00 x"},
      {"[info]frame=1", "", "", LogLevelTag::kUnknown, "[info]frame=1"},
      {"", "", "", LogLevelTag::kUnknown, ""},
  };
  for (const auto& c : kCases) {
    const LogPrefixes got = StripPrefixes(c.record);
    EXPECT_EQ(got.timestamp, c.timestamp) << c.record;
    EXPECT_EQ(got.context, c.context) << c.record;
    EXPECT_EQ(got.level, c.level) << c.record;
    EXPECT_EQ(got.message, c.message) << c.record;
  }
}

TEST(ClassifyUrlTest, Table) {
  const std::pair<std::string_view, LogEventKind> kCases[] = {
      {"http://127.0.0.1:17080/live/stream.m3u8", LogEventKind::kPlaylistOpen},
      {"https://cdn.example/a/master.M3U8?token=abc.ts", LogEventKind::kPlaylistOpen},
      {"http://h/x/playlist.m3u", LogEventKind::kPlaylistOpen},
      {"http://h/x/seg_00066.ts", LogEventKind::kSegmentOpen},
      {"http://h/x/seg_1.m4s?sig=init", LogEventKind::kSegmentOpen},
      {"http://h/x/init.mp4", LogEventKind::kInitSegmentOpen},
      {"http://h/x/720p_init_0.mp4?v=2", LogEventKind::kInitSegmentOpen},
      {"http://h/keys/k1.key", LogEventKind::kKeyOpen},
      {"crypto+http://h/x/seg_5.ts", LogEventKind::kSegmentOpen},
      {"http://h.m3u8", LogEventKind::kSegmentOpen},  // a host name, not a path
      {"http://h/live/stream.m3u8#frag", LogEventKind::kPlaylistOpen},
  };
  for (const auto& [url, kind] : kCases) {
    EXPECT_EQ(ClassifyUrl(url), kind) << url;
  }
}

TEST(HttpStatusFromErrorTest, Table) {
  struct Case {
    std::string_view error;
    int status;
    bool class_only;
  };
  const Case kCases[] = {
      {"Server returned 404 Not Found", 404, false},
      {"Server returned 403 Forbidden (access denied)", 403, false},
      {"Server returned 4XX Client Error, but not one of 40{0,1,3,4}", 400, true},
      {"Server returned 5XX Server Error reply", 500, true},
      {"Server returned 429 Too Many Requests", 429, false},
      {"Connection timed out", 0, false},
      {"Server returned", 0, false},
  };
  for (const auto& c : kCases) {
    bool class_only = true;
    EXPECT_EQ(HttpStatusFromError(c.error, &class_only), c.status) << c.error;
    EXPECT_EQ(class_only, c.class_only) << c.error;
  }
}

LogEvent Classify(std::string_view record, LineClass* cls = nullptr, bool newline = true) {
  LogLineState state;
  LogEvent event;
  const LineClass got = ClassifyRecord(record, newline, state, event);
  if (cls) *cls = got;
  return event;
}

TEST(ClassifyRecordTest, OpensAndConnectionReuse) {
  LogEvent e = Classify("[hls @ 0x5] Opening 'http://h/live/seg_1.ts' for reading");
  EXPECT_EQ(e.kind, LogEventKind::kSegmentOpen);
  EXPECT_EQ(e.url, "http://h/live/seg_1.ts");
  EXPECT_TRUE(e.new_connection);
  e = Classify("[http @ 0x5] Opening 'http://h/live/stream.m3u8' for reading");
  EXPECT_EQ(e.kind, LogEventKind::kPlaylistOpen);
  EXPECT_FALSE(e.new_connection);
  e = Classify("[https @ 0x5] Opening 'https://h/a/init.mp4' for reading");
  EXPECT_EQ(e.kind, LogEventKind::kInitSegmentOpen);
  EXPECT_FALSE(e.new_connection);
  e = Classify("[NULL @ 0x5] Opening 'http://h/live/stream.m3u8' for reading");
  EXPECT_EQ(e.kind, LogEventKind::kPlaylistOpen);
  EXPECT_TRUE(e.new_connection);
  e = Classify("[AVFormatContext @ 0x5] Opening 'http://h/k.key' for reading");
  EXPECT_EQ(e.kind, LogEventKind::kKeyOpen);
  EXPECT_TRUE(e.new_connection);
  EXPECT_EQ(Classify("[hls @ 0x5] Opening 'x.ts' for writing").kind, LogEventKind::kOther);
  EXPECT_EQ(Classify("Opening an input file: http://h/a.m3u8.").kind, LogEventKind::kOther);
}

TEST(ClassifyRecordTest, PlaylistAndSegmentErrors) {
  LogEvent e = Classify("[hls @ 0x5] Segment 1234 of playlist 2 failed too many times, skipping");
  EXPECT_EQ(e.kind, LogEventKind::kSegmentSkipped);
  EXPECT_EQ(e.segment, 1234);
  EXPECT_EQ(e.playlist, 2);
  e = Classify("[hls @ 0x5] Failed to open segment 837 of playlist 0");
  EXPECT_EQ(e.kind, LogEventKind::kSegmentFailed);
  EXPECT_EQ(e.segment, 837);
  EXPECT_EQ(e.playlist, 0);
  e = Classify("[hls @ 0x5] skipping 3 segments ahead, expired from playlists");
  EXPECT_EQ(e.kind, LogEventKind::kSegmentsExpired);
  EXPECT_EQ(e.count, 3);
  e = Classify("[hls @ 0x5] Failed to reload playlist 1");
  EXPECT_EQ(e.kind, LogEventKind::kPlaylistReloadFailed);
  EXPECT_EQ(e.playlist, 1);
  e = Classify("[hls @ 0x5] Failed to open an initialization section in playlist 3");
  EXPECT_EQ(e.kind, LogEventKind::kInitSegmentFailed);
  EXPECT_EQ(e.playlist, 3);
  e = Classify("[hls @ 0x5] Unable to open key file http://h/k.key");
  EXPECT_EQ(e.kind, LogEventKind::kKeyFailed);
  EXPECT_EQ(e.url, "http://h/k.key");
  e = Classify("[hls @ 0x5] No longer receiving playlist 0 ('http://h/360p/stream.m3u8')");
  EXPECT_EQ(e.kind, LogEventKind::kPlaylistDropped);
  EXPECT_EQ(e.playlist, 0);
  EXPECT_EQ(e.url, "http://h/360p/stream.m3u8");
  e = Classify("[hls @ 0x5] HLS request for url 'http://h/s.ts?a=b', offset 512, playlist 1");
  EXPECT_EQ(e.kind, LogEventKind::kHlsRequest);
  EXPECT_EQ(e.url, "http://h/s.ts?a=b");
  EXPECT_EQ(e.offset_bytes, 512);
  EXPECT_EQ(e.playlist, 1);
}

TEST(ClassifyRecordTest, HttpAndConnectionErrors) {
  LogEvent e = Classify("[http @ 0x5] HTTP error 503 Service Unavailable");
  EXPECT_EQ(e.kind, LogEventKind::kHttpError);
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(e.message, "Service Unavailable");
  e = Classify("[http @ 0x5] http_code=206");
  EXPECT_EQ(e.kind, LogEventKind::kHttpResponse);
  EXPECT_EQ(e.http_status, 206);
  e = Classify(
      "[hls @ 0x5] keepalive request failed for 'http://h/s.ts' with error: 'Server returned 5XX "
      "Server Error reply' when opening url, retrying with new connection");
  EXPECT_EQ(e.kind, LogEventKind::kKeepaliveRetry);
  EXPECT_EQ(e.url, "http://h/s.ts");
  EXPECT_EQ(e.http_status, 500);
  EXPECT_TRUE(e.http_status_class_only);
  e = Classify("[http @ 0x5] Will reconnect at 1234 in 2 second(s), error=Connection reset.");
  EXPECT_EQ(e.kind, LogEventKind::kReconnect);
  EXPECT_EQ(e.offset_bytes, 1234);
  EXPECT_EQ(e.delay_s, 2);
  EXPECT_EQ(e.message, "Connection reset");
  e = Classify("[tcp @ 0x5] Failed to resolve hostname foo.invalid: Name or service not known");
  EXPECT_EQ(e.kind, LogEventKind::kConnectFailed);
  EXPECT_EQ(e.url, "foo.invalid");
  EXPECT_EQ(e.message, "Name or service not known");
  e = Classify("[tcp @ 0x5] Connection to tcp://h:80 failed: Connection timed out");
  EXPECT_EQ(e.kind, LogEventKind::kConnectFailed);
  EXPECT_EQ(e.url, "tcp://h:80");
  e = Classify("[tcp @ 0x5] Connection attempt to ::1 port 80 failed: Connection refused");
  EXPECT_EQ(e.kind, LogEventKind::kConnectAttemptFailed);
  EXPECT_EQ(e.url, "::1 port 80");
  e = Classify("[http @ 0x5] Stream ends prematurely at 1000, should be 2000");
  EXPECT_EQ(e.kind, LogEventKind::kPrematureEnd);
  EXPECT_EQ(e.offset_bytes, 1000);
  EXPECT_EQ(e.expected_bytes, 2000);
}

TEST(ClassifyRecordTest, InputOpenFailedOnlyOncePerRun) {
  // FFmpeg 6.1+ prints three lines for one failed open.
  LogLineState state;
  LogEvent e;
  ClassifyRecord("[in#0 @ 0x5] Error opening input: Server returned 403 Forbidden", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kInputOpenFailed);
  EXPECT_EQ(e.http_status, 403);
  ClassifyRecord("Error opening input file http://h/a.m3u8.", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kOther);
  ClassifyRecord("Error opening input files: Server returned 403 Forbidden", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kOther);
}

TEST(ClassifyRecordTest, UrlErrorIsReadErrorAfterInputHeader) {
  LogLineState state;
  LogEvent e;
  ClassifyRecord("Input #0, hls, from 'http://h/a.m3u8':", true, state, e);
  EXPECT_TRUE(state.input_opened);
  ClassifyRecord("http://h/a.m3u8: Input/output error", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kInputError);
  EXPECT_EQ(e.url, "http://h/a.m3u8");
  EXPECT_EQ(e.message, "Input/output error");
  ClassifyRecord("http://h/a.m3u8: corrupt input packet in stream 1", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kCorruptPacket);
  EXPECT_EQ(e.count, 1);
  ClassifyRecord("[in#0/hls @ 0x5] corrupt input packet in stream 0", true, state, e);
  EXPECT_EQ(e.kind, LogEventKind::kCorruptPacket);
  ClassifyRecord("[in#0/hls @ 0x5] Error during demuxing: Server returned 404 Not Found", true,
                 state, e);
  EXPECT_EQ(e.kind, LogEventKind::kInputError);
  EXPECT_EQ(e.http_status, 404);
}

TEST(ClassifyRecordTest, StatusRecords) {
  LogEvent e =
      Classify("frame=  150 fps= 75 q=-1.0 size=N/A time=00:00:06.00 bitrate=N/A speed=2.99x    ",
               nullptr, false);
  EXPECT_EQ(e.kind, LogEventKind::kStatus);
  EXPECT_EQ(e.frame, 150);
  EXPECT_DOUBLE_EQ(e.fps, 75);
  EXPECT_TRUE(e.has_out_time);
  EXPECT_EQ(e.out_time_us, 6000000);
  EXPECT_DOUBLE_EQ(e.bitrate_kbps, -1);
  EXPECT_DOUBLE_EQ(e.speed, 2.99);
  EXPECT_FALSE(e.final_status);
  // Padded speed, final report (ends with \n), multi-output `q=` and `Lq=`.
  e = Classify(
      "frame=  599 fps= 30 q=-1.0 Lq=-1.0 size=N/A time=00:00:24.01 bitrate=N/A "
      "speed=   1x    ");
  EXPECT_DOUBLE_EQ(e.speed, 1);
  EXPECT_TRUE(e.final_status);
  // Audio only; 6.1+ KiB units; 7.1 elapsed=; negative start time.
  e = Classify(
      "size=     256KiB time=-00:00:00.02 bitrate=2712.3kbits/s speed=0.691x "
      "elapsed=0:00:02.00");
  EXPECT_EQ(e.kind, LogEventKind::kStatus);
  EXPECT_EQ(e.frame, -1);
  EXPECT_EQ(e.out_time_us, -20000);
  EXPECT_DOUBLE_EQ(e.bitrate_kbps, 2712.3);
  EXPECT_DOUBLE_EQ(e.speed, 0.691);
  e = Classify("frame=    1 fps=0.0 q=-1.0 size=N/A time=N/A bitrate=N/A speed=N/A");
  EXPECT_FALSE(e.has_out_time);
  EXPECT_DOUBLE_EQ(e.speed, -1);
  EXPECT_EQ(Classify("frame=1 but no speed").kind, LogEventKind::kOther);
}

TEST(ClassifyRecordTest, NoiseRepeatAndOther) {
  LineClass cls{};
  Classify("[hls @ 0x5] Skip ('#EXT-X-PROGRAM-DATE-TIME:2026-11-24T12:39:03.729+0000')", &cls);
  EXPECT_EQ(cls, LineClass::kNoise);
  LogEvent e = Classify("    Last message repeated 4 times", &cls);
  EXPECT_EQ(cls, LineClass::kRepeat);
  EXPECT_EQ(e.count, 4);
  Classify("[tcp @ 0x5] Successfully connected to 127.0.0.1 port 17080", &cls);
  EXPECT_EQ(cls, LineClass::kPlain);
  e = Classify("[tls @ 0x5] Error in the pull function.", &cls);
  EXPECT_EQ(cls, LineClass::kEvent);
  EXPECT_EQ(e.kind, LogEventKind::kOther);
  EXPECT_EQ(e.message, "Error in the pull function.");
  e = Classify("[hls @ 0x5] [warning] Something new", &cls);
  EXPECT_EQ(e.kind, LogEventKind::kOther);
  EXPECT_EQ(e.level, LogLevelTag::kWarning);
  Classify("[hls @ 0x5] [info] Something failed, but at info", &cls);
  EXPECT_EQ(cls, LineClass::kPlain);
  Classify("Reading option '-reconnect_on_network_error' ... matched as AVOption", &cls);
  EXPECT_EQ(cls, LineClass::kPlain);
}

TEST(LogEventTest, ToStringNamesAreDistinct) {
  EXPECT_STREQ(ToString(LogEventKind::kPlaylistOpen), "playlist_open");
  EXPECT_STREQ(ToString(LogEventKind::kCorruptPacket), "corrupt_packet");
  EXPECT_STREQ(ToString(LogLevelTag::kWarning), "warning");
  EXPECT_STREQ(ToString(LogLevelTag::kUnknown), "");
}

}  // namespace
}  // namespace hs::ffmpeg
