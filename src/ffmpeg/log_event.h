// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/clock.h"

namespace hs::ffmpeg {

/// What one record of FFmpeg's stderr means to hls-swarm. Records are split on both `\r` and
/// `\n`; prefixes (time, `[ctx @ 0x…]`, `[level]`) are stripped before classification.
///
/// Connection reuse, as measured on FFmpeg 5.1 (see `LogEvent::new_connection`): an `Opening`
/// logged by the demuxer context (`[hls @ …]`, `[NULL @ …]`, `[AVFormatContext @ …]`) went through
/// `io_open` and always starts a new TCP connection; one logged by `[http @ …]`/`[https @ …]` is
/// `ff_http_do_new_request2` on a kept-alive connection. Requests for the input URL itself (the
/// first playlist request, the first reload of a single-rendition playlist, and a reload that has
/// to reconnect after its kept-alive socket failed) are logged only at `debug`, so at `info` and
/// `verbose` they are invisible; a master playlist's renditions are not the input URL and show.
enum class LogEventKind {
  kOther,                 ///< unclassified line that looks like a warning or error
  kStatus,                ///< `frame=… time=… bitrate=… speed=…x` status record
  kPlaylistOpen,          ///< `Opening '<…m3u8>' for reading`
  kSegmentOpen,           ///< `Opening '<media segment>' for reading`
  kInitSegmentOpen,       ///< `Opening` whose file name contains `init` (EXT-X-MAP)
  kKeyOpen,               ///< `Opening` of a `.key` URL (AES-128 key)
  kHlsRequest,            ///< verbose `HLS request for url '…', offset N, playlist M`
  kHttpError,             ///< `HTTP error 404 Not Found`: one per failed HTTP response
  kHttpResponse,          ///< trace `http_code=206`: one per HTTP response, any status
  kSegmentFailed,         ///< `Failed to open segment N of playlist M`
  kSegmentSkipped,        ///< `Segment N of playlist M failed too many times, skipping` (6.1+)
  kSegmentsExpired,       ///< `skipping N segments ahead, expired from playlists`
  kInitSegmentFailed,     ///< `Failed to open an initialization section in playlist M`
  kKeyFailed,             ///< `Unable to open key file <url>`
  kPlaylistReloadFailed,  ///< `Failed to reload playlist M`
  kPlaylistDropped,       ///< `No longer receiving playlist M ('<url>')` (unmapped rendition)
  kReconnect,             ///< `Will reconnect at <offset> in N second(s)[, error=…].`
  kKeepaliveRetry,        ///< `keepalive request failed for '<url>' with error: '…' …`
  kConnectFailed,         ///< `Connection to tcp://h:p failed: …`, `Failed to resolve hostname`
  kConnectAttemptFailed,  ///< verbose `Connection attempt to <ip> port N failed: …` (per address)
  kPrematureEnd,          ///< `Stream ends prematurely at N, should be M`
  kInputOpenFailed,       ///< the input could not be opened (at most one per FFmpeg run)
  kInputError,            ///< `<url>: <error>` after the input was opened (read error)
  kCorruptPacket,         ///< `<url>: corrupt input packet in stream N`
};

/// Stable snake_case name of \a kind, usable as a metric label value.
const char* ToString(LogEventKind kind);

/// Level tag written with `-loglevel +level` (`[info]`, `[warning]`, …).
enum class LogLevelTag {
  kUnknown,  ///< no tag on the record (the default without `+level`)
  kQuiet,
  kPanic,
  kFatal,
  kError,
  kWarning,
  kInfo,
  kVerbose,
  kDebug,
  kTrace,
};

/// Name FFmpeg uses in the tag, or "" for kUnknown.
const char* ToString(LogLevelTag level);

/// One classified stderr record. All string_views point into the scanner's buffers and are valid
/// only during the `LogListener::OnLogEvent` call that receives the event; copy what you keep.
/// Fields that a kind does not use keep their defaults.
struct LogEvent {
  LogEventKind kind = LogEventKind::kOther;
  /// Arrival time the caller passed with the chunk that completed this record.
  SteadyTime arrival{};
  /// From the `[level]` tag, kUnknown without `-loglevel +level`.
  LogLevelTag level = LogLevelTag::kUnknown;
  /// Class name of the innermost `[name @ 0x…]` prefix (`hls`, `http`, `tcp`…), empty if none.
  std::string_view context;
  /// FFmpeg 6.1+ `+time`/`+datetime` prefix without its trailing space, empty if absent.
  std::string_view timestamp;
  /// The record with every prefix stripped.
  std::string_view line;
  /// Opens, kHlsRequest, kKeepaliveRetry, kKeyFailed, kPlaylistDropped: the URL as FFmpeg printed
  /// it. kConnectFailed: `tcp://host:port` or the host name. kInputOpenFailed/kInputError/
  /// kCorruptPacket: the input URL when FFmpeg printed it.
  std::string_view url;
  /// Error text: the reason of kKeepaliveRetry/kConnectFailed/kInputOpenFailed/kInputError/
  /// kReconnect (`error=`), the reason phrase of kHttpError, the whole line for kOther.
  std::string_view message;
  /// Opens: true when FFmpeg opened a new connection (demuxer context), false when it reused a
  /// kept-alive one (`[http @ …]`/`[https @ …]`). Strictly, `[http @]` reuses the HTTP context;
  /// FFmpeg would reconnect underneath only if the old socket was already gone.
  bool new_connection = false;
  /// kHttpError/kHttpResponse, and kInputOpenFailed/kInputError/kKeepaliveRetry whose error is
  /// `Server returned …`: the HTTP status; 0 when none.
  int http_status = 0;
  /// True when FFmpeg only gave the class (`Server returned 5XX Server Error reply` → 500).
  bool http_status_class_only = false;
  /// kSegmentFailed/kSegmentSkipped/kInitSegmentFailed/kPlaylistReloadFailed/kPlaylistDropped/
  /// kHlsRequest: playlist index (rendition) as FFmpeg numbers them; -1 when not given.
  int playlist = -1;
  /// kSegmentFailed/kSegmentSkipped: media sequence number of the segment; -1 otherwise.
  int64_t segment = -1;
  /// kSegmentsExpired: segments skipped; kCorruptPacket: stream index. 0 otherwise.
  int64_t count = 0;
  /// kReconnect: seconds until the retry; -1 otherwise.
  int delay_s = -1;
  /// kReconnect/kHlsRequest/kPrematureEnd: byte offset FFmpeg printed; -1 otherwise.
  int64_t offset_bytes = -1;
  /// kPrematureEnd: the size FFmpeg expected; -1 otherwise.
  int64_t expected_bytes = -1;
  /// kStatus: playback speed (`speed=1.5x`); -1 for `N/A`.
  double speed = -1;
  /// kStatus: `frame=`, -1 when absent (audio only).
  int64_t frame = -1;
  /// kStatus: `fps=`, -1 when absent.
  double fps = -1;
  /// kStatus: `bitrate=` in kbit/s, -1 for `N/A`.
  double bitrate_kbps = -1;
  /// kStatus: `time=` in microseconds (may be negative); valid when has_out_time.
  int64_t out_time_us = 0;
  bool has_out_time = false;
  /// kStatus: the last report (ends with `\n`, not `\r`).
  bool final_status = false;
  /// True when this event re-emits a line that FFmpeg collapsed into
  /// `Last message repeated N times` (without `-loglevel repeat`).
  bool repeated = false;
};

/// Receives classified records. Called synchronously from `LogScanner::Feed`/`Finish` on the
/// caller's thread; implementations must not call back into the same scanner.
class LogListener {
 public:
  virtual ~LogListener() = default;
  virtual void OnLogEvent(const LogEvent& event) = 0;
};

}  // namespace hs::ffmpeg
