// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/log_event.h"

namespace hs::ffmpeg {

const char* ToString(LogEventKind kind) {
  switch (kind) {
    case LogEventKind::kOther:
      return "other";
    case LogEventKind::kStatus:
      return "status";
    case LogEventKind::kPlaylistOpen:
      return "playlist_open";
    case LogEventKind::kSegmentOpen:
      return "segment_open";
    case LogEventKind::kInitSegmentOpen:
      return "init_segment_open";
    case LogEventKind::kKeyOpen:
      return "key_open";
    case LogEventKind::kHlsRequest:
      return "hls_request";
    case LogEventKind::kHttpError:
      return "http_error";
    case LogEventKind::kHttpResponse:
      return "http_response";
    case LogEventKind::kSegmentFailed:
      return "segment_failed";
    case LogEventKind::kSegmentSkipped:
      return "segment_skipped";
    case LogEventKind::kSegmentsExpired:
      return "segments_expired";
    case LogEventKind::kInitSegmentFailed:
      return "init_segment_failed";
    case LogEventKind::kKeyFailed:
      return "key_failed";
    case LogEventKind::kPlaylistReloadFailed:
      return "playlist_reload_failed";
    case LogEventKind::kPlaylistDropped:
      return "playlist_dropped";
    case LogEventKind::kReconnect:
      return "reconnect";
    case LogEventKind::kKeepaliveRetry:
      return "keepalive_retry";
    case LogEventKind::kConnectFailed:
      return "connect_failed";
    case LogEventKind::kConnectAttemptFailed:
      return "connect_attempt_failed";
    case LogEventKind::kPrematureEnd:
      return "premature_end";
    case LogEventKind::kInputOpenFailed:
      return "input_open_failed";
    case LogEventKind::kInputError:
      return "input_error";
    case LogEventKind::kCorruptPacket:
      return "corrupt_packet";
  }
  return "other";
}

const char* ToString(LogLevelTag level) {
  switch (level) {
    case LogLevelTag::kUnknown:
      return "";
    case LogLevelTag::kQuiet:
      return "quiet";
    case LogLevelTag::kPanic:
      return "panic";
    case LogLevelTag::kFatal:
      return "fatal";
    case LogLevelTag::kError:
      return "error";
    case LogLevelTag::kWarning:
      return "warning";
    case LogLevelTag::kInfo:
      return "info";
    case LogLevelTag::kVerbose:
      return "verbose";
    case LogLevelTag::kDebug:
      return "debug";
    case LogLevelTag::kTrace:
      return "trace";
  }
  return "";
}

}  // namespace hs::ffmpeg
