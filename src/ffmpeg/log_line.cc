// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/log_line.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "ffmpeg/log_parse_util.h"
#include "hls/url_kind.h"

namespace hs::ffmpeg {
namespace {

using parse::Consume;
using parse::ConsumeInt;
using parse::IsDigit;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsNoCase(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && Lower(s[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

/// `d` in \a mask matches a digit, any other character itself.
bool MatchesMask(std::string_view s, std::string_view mask) {
  if (s.size() < mask.size()) return false;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i] == 'd' ? !IsDigit(s[i]) : s[i] != mask[i]) return false;
  }
  return true;
}

bool IsHexPointer(std::string_view s) {
  if (s == "(nil)") return true;
  if (!Consume(s, "0x") || s.empty()) return false;
  for (char c : s) {
    const bool hex = IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

/// Class name inside `[name @ 0x…]` or `[name #N]`; nullopt when \a inner is neither.
std::optional<std::string_view> ContextName(std::string_view inner) {
  const size_t at = inner.rfind(" @ ");
  if (at != std::string_view::npos && at > 0 && IsHexPointer(inner.substr(at + 3))) {
    return inner.substr(0, at);
  }
  const size_t hash = inner.rfind(" #");
  if (hash != std::string_view::npos && hash > 0 && hash + 2 < inner.size()) {
    for (char c : inner.substr(hash + 2)) {
      if (!IsDigit(c)) return std::nullopt;
    }
    return inner.substr(0, hash);
  }
  return std::nullopt;
}

/// Strips one `[...] ` group from \a s and returns its inside, or nullopt (s unchanged).
std::optional<std::string_view> BracketGroup(std::string_view s) {
  if (s.empty() || s.front() != '[') return std::nullopt;
  const size_t close = s.find(']');
  if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ' ') {
    return std::nullopt;
  }
  return s.substr(1, close - 1);
}

LogLevelTag LevelFromName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, LogLevelTag>, 9> kLevels = {{
      {"quiet", LogLevelTag::kQuiet},
      {"panic", LogLevelTag::kPanic},
      {"fatal", LogLevelTag::kFatal},
      {"error", LogLevelTag::kError},
      {"warning", LogLevelTag::kWarning},
      {"info", LogLevelTag::kInfo},
      {"verbose", LogLevelTag::kVerbose},
      {"debug", LogLevelTag::kDebug},
      {"trace", LogLevelTag::kTrace},
  }};
  for (const auto& [text, level] : kLevels) {
    if (name == text) return level;
  }
  return LogLevelTag::kUnknown;
}

/// Splits `<text>' <rest>` at the closing `'` that is followed by \a after.
bool SplitQuoted(std::string_view& s, std::string_view after, std::string_view* quoted) {
  const size_t end = s.find(after);
  if (end == std::string_view::npos) return false;
  *quoted = s.substr(0, end);
  s.remove_prefix(end + after.size());
  return true;
}

bool TryOpening(std::string_view msg, LogEvent& ev) {
  constexpr std::string_view kHead = "Opening '";
  constexpr std::string_view kTail = "' for reading";
  if (msg.size() < kHead.size() + kTail.size() || !Consume(msg, kHead)) return false;
  if (msg.substr(msg.size() - kTail.size()) != kTail) return false;
  ev.url = msg.substr(0, msg.size() - kTail.size());
  ev.kind = ClassifyUrl(ev.url);
  ev.new_connection = ev.context != "http" && ev.context != "https";
  return true;
}

bool TryHlsRequest(std::string_view msg, LogEvent& ev) {
  if (!Consume(msg, "HLS request for url '")) return false;
  std::string_view url;
  if (!SplitQuoted(msg, "', offset ", &url)) return false;
  auto offset = ConsumeInt(msg);
  if (!offset || !Consume(msg, ", playlist ")) return false;
  auto playlist = ConsumeInt(msg);
  if (!playlist) return false;
  ev.kind = LogEventKind::kHlsRequest;
  ev.url = url;
  ev.offset_bytes = *offset;
  ev.playlist = static_cast<int>(*playlist);
  return true;
}

bool TryHttpStatus(std::string_view msg, LogEvent& ev) {
  LogEventKind kind;
  if (Consume(msg, "HTTP error ")) {
    kind = LogEventKind::kHttpError;
  } else if (Consume(msg, "http_code=")) {
    kind = LogEventKind::kHttpResponse;
  } else {
    return false;
  }
  auto code = ConsumeInt(msg);
  if (!code || *code < 100 || *code > 999) return false;
  ev.kind = kind;
  ev.http_status = static_cast<int>(*code);
  ev.message = parse::Trim(msg);
  return true;
}

/// `<head>N<middle>M<tail>` with integers N and M.
bool TwoNumbers(std::string_view msg, std::string_view head, std::string_view middle,
                std::string_view tail, int64_t* n, int64_t* m) {
  if (!Consume(msg, head)) return false;
  auto first = ConsumeInt(msg);
  if (!first || !Consume(msg, middle)) return false;
  auto second = ConsumeInt(msg);
  if (!second || msg != tail) return false;
  *n = *first;
  *m = *second;
  return true;
}

/// `<head>N<tail>` with an integer N.
bool OneNumber(std::string_view msg, std::string_view head, std::string_view tail, int64_t* n) {
  if (!Consume(msg, head)) return false;
  auto value = ConsumeInt(msg);
  if (!value || msg != tail) return false;
  *n = *value;
  return true;
}

bool TrySegmentErrors(std::string_view msg, LogEvent& ev) {
  int64_t n = 0;
  int64_t m = 0;
  if (TwoNumbers(msg, "Failed to open segment ", " of playlist ", "", &n, &m)) {
    ev.kind = LogEventKind::kSegmentFailed;
  } else if (TwoNumbers(msg, "Segment ", " of playlist ", " failed too many times, skipping", &n,
                        &m)) {
    ev.kind = LogEventKind::kSegmentSkipped;
  } else if (OneNumber(msg, "skipping ", " segments ahead, expired from playlists", &n)) {
    ev.kind = LogEventKind::kSegmentsExpired;
    ev.count = n;
    return true;
  } else if (OneNumber(msg, "Failed to reload playlist ", "", &m)) {
    ev.kind = LogEventKind::kPlaylistReloadFailed;
    ev.playlist = static_cast<int>(m);
    return true;
  } else if (OneNumber(msg, "Failed to open an initialization section in playlist ", "", &m)) {
    ev.kind = LogEventKind::kInitSegmentFailed;
    ev.playlist = static_cast<int>(m);
    return true;
  } else {
    return false;
  }
  ev.segment = n;
  ev.playlist = static_cast<int>(m);
  return true;
}

bool TryPlaylistMisc(std::string_view msg, LogEvent& ev) {
  if (Consume(msg, "Unable to open key file ")) {
    ev.kind = LogEventKind::kKeyFailed;
    ev.url = parse::Trim(msg);
    return true;
  }
  if (!Consume(msg, "No longer receiving playlist ")) return false;
  auto playlist = ConsumeInt(msg);
  if (!playlist) return false;
  ev.kind = LogEventKind::kPlaylistDropped;
  ev.playlist = static_cast<int>(*playlist);
  if (Consume(msg, " ('") && msg.size() >= 2 && msg.substr(msg.size() - 2) == "')") {
    ev.url = msg.substr(0, msg.size() - 2);
  }
  return true;
}

void SetHttpStatusFromMessage(LogEvent& ev) {
  ev.http_status = HttpStatusFromError(ev.message, &ev.http_status_class_only);
}

bool TryReconnect(std::string_view msg, LogEvent& ev) {
  if (Consume(msg, "Will reconnect at ")) {
    auto offset = ConsumeInt(msg);
    if (!offset || !Consume(msg, " in ")) return false;
    auto delay = ConsumeInt(msg);
    if (!delay || !Consume(msg, " second(s)")) return false;
    ev.kind = LogEventKind::kReconnect;
    ev.offset_bytes = *offset;
    ev.delay_s = static_cast<int>(*delay);
    if (Consume(msg, ", error=")) {
      if (!msg.empty() && msg.back() == '.') msg.remove_suffix(1);
      ev.message = msg;
    }
    return true;
  }
  if (!Consume(msg, "keepalive request failed for '")) return false;
  std::string_view url;
  if (!SplitQuoted(msg, "' with error: '", &url)) return false;
  std::string_view error;
  if (!SplitQuoted(msg, "' when ", &error)) return false;
  ev.kind = LogEventKind::kKeepaliveRetry;
  ev.url = url;
  ev.message = error;
  SetHttpStatusFromMessage(ev);
  return true;
}

bool TryConnectFailed(std::string_view msg, LogEvent& ev) {
  LogEventKind kind = LogEventKind::kConnectFailed;
  std::string_view target;
  if (Consume(msg, "Connection to ")) {
    if (!SplitQuoted(msg, " failed: ", &target)) return false;
  } else if (Consume(msg, "Failed to resolve hostname ")) {
    if (!SplitQuoted(msg, ": ", &target)) return false;
  } else if (Consume(msg, "Connection attempt to ")) {
    if (!SplitQuoted(msg, " failed: ", &target)) return false;
    kind = LogEventKind::kConnectAttemptFailed;
  } else {
    return false;
  }
  ev.kind = kind;
  ev.url = target;
  ev.message = msg;
  return true;
}

bool TryPrematureEnd(std::string_view msg, LogEvent& ev) {
  int64_t at = 0;
  int64_t expected = 0;
  if (!TwoNumbers(msg, "Stream ends prematurely at ", ", should be ", "", &at, &expected)) {
    return false;
  }
  ev.kind = LogEventKind::kPrematureEnd;
  ev.offset_bytes = at;
  ev.expected_bytes = expected;
  return true;
}

/// `<scheme>://…` up to the first `: `, as FFmpeg 5.1's print_error() writes `<url>: <error>`.
bool SplitUrlAndError(std::string_view msg, std::string_view* url, std::string_view* error) {
  const size_t scheme_end = msg.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  for (char c : msg.substr(0, scheme_end)) {
    const bool ok =
        IsDigit(c) || (Lower(c) >= 'a' && Lower(c) <= 'z') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  const size_t sep = msg.find(": ", scheme_end);
  if (sep == std::string_view::npos) return false;
  *url = msg.substr(0, sep);
  if (url->find(' ') != std::string_view::npos) return false;
  *error = msg.substr(sep + 2);
  return true;
}

void InputFailure(LogLineState& state, LogEvent& ev) {
  if (state.input_opened) {
    ev.kind = LogEventKind::kInputError;
  } else if (!state.input_failed) {
    ev.kind = LogEventKind::kInputOpenFailed;
    state.input_failed = true;
  } else {
    ev.kind = LogEventKind::kOther;
  }
  SetHttpStatusFromMessage(ev);
}

bool TryCorruptPacket(std::string_view error, LogEvent& ev) {
  int64_t stream = 0;
  if (!OneNumber(error, "corrupt input packet in stream ", "", &stream)) return false;
  ev.kind = LogEventKind::kCorruptPacket;
  ev.count = stream;
  return true;
}

bool TryInputErrors(std::string_view msg, LogLineState& state, LogEvent& ev) {
  std::string_view url;
  std::string_view error;
  if (ev.context.empty() && SplitUrlAndError(msg, &url, &error)) {
    ev.url = url;
    ev.message = error;
    if (!TryCorruptPacket(error, ev)) InputFailure(state, ev);
    return true;
  }
  if (TryCorruptPacket(msg, ev)) return true;
  // FFmpeg 6.1+ (fftools/ffmpeg_demux.c, ffmpeg_opt.c).
  if (Consume(msg, "Error opening input: ") || Consume(msg, "Error opening input files: ")) {
    ev.message = msg;
    InputFailure(state, ev);
    return true;
  }
  if (Consume(msg, "Error opening input file ")) {
    if (!msg.empty() && msg.back() == '.') msg.remove_suffix(1);
    ev.url = msg;
    InputFailure(state, ev);
    return true;
  }
  if (Consume(msg, "Error during demuxing: ") ||
      Consume(msg, "Error retrieving a packet from demuxer: ")) {
    ev.kind = LogEventKind::kInputError;
    ev.message = msg;
    SetHttpStatusFromMessage(ev);
    return true;
  }
  return false;
}

/// `frame=… fps=… q=… size=… time=… bitrate=… speed=…` (`size=`/`Lsize=` first when no video).
bool TryStatus(std::string_view msg, bool ends_with_newline, LogEvent& ev) {
  if (!(msg.starts_with("frame=") || msg.starts_with("size=") || msg.starts_with("Lsize="))) {
    return false;
  }
  if (msg.find(" speed=") == std::string_view::npos) return false;
  ev.kind = LogEventKind::kStatus;
  ev.final_status = ends_with_newline;
  while (!msg.empty()) {
    const size_t eq = msg.find('=');
    if (eq == std::string_view::npos) break;
    const std::string_view key = parse::Trim(msg.substr(0, eq));
    msg.remove_prefix(eq + 1);
    while (!msg.empty() && parse::IsSpace(msg.front())) msg.remove_prefix(1);
    const size_t end = msg.find(' ');
    const std::string_view value = msg.substr(0, end);
    msg.remove_prefix(end == std::string_view::npos ? msg.size() : end);
    if (key == "frame") {
      ev.frame = parse::ParseInt(value).value_or(-1);
    } else if (key == "fps") {
      ev.fps = parse::ParseDouble(value).value_or(-1);
    } else if (key == "time") {
      const auto us = parse::ParseClockUs(value);
      ev.has_out_time = us.has_value();
      ev.out_time_us = us.value_or(0);
    } else if (key == "bitrate") {
      ev.bitrate_kbps = parse::ParseBitrateKbps(value);
    } else if (key == "speed") {
      ev.speed = parse::ParseSpeed(value);
    }
  }
  return true;
}

bool LooksLikeProblem(const LogEvent& ev) {
  switch (ev.level) {
    case LogLevelTag::kPanic:
    case LogLevelTag::kFatal:
    case LogLevelTag::kError:
    case LogLevelTag::kWarning:
      return true;
    case LogLevelTag::kUnknown:
      break;
    default:
      return false;
  }
  // Option echoes and FFmpeg's self-declared harmless notes mention "error" without being one.
  if (ev.line.starts_with("Reading option ") || ev.line.starts_with("Applying option ") ||
      ContainsNoCase(ev.line, "harmless")) {
    return false;
  }
  static constexpr std::array<std::string_view, 9> kWords = {
      "error", "fail", "invalid", "unable", "cannot", "could not", "timed out", "refused", "reset"};
  for (std::string_view word : kWords) {
    if (ContainsNoCase(ev.line, word)) return true;
  }
  return false;
}

}  // namespace

LogPrefixes StripPrefixes(std::string_view record) {
  LogPrefixes out;
  std::string_view s = record;
  if (MatchesMask(s, "dddd-dd-dd dd:dd:dd.ddd ")) {
    out.timestamp = s.substr(0, 23);
    s.remove_prefix(24);
  } else if (MatchesMask(s, "dd:dd:dd.ddd ")) {
    out.timestamp = s.substr(0, 12);
    s.remove_prefix(13);
  }
  for (int i = 0; i < 2; ++i) {
    const auto inner = BracketGroup(s);
    if (!inner) break;
    const auto name = ContextName(*inner);
    if (!name) break;
    out.context = *name;
    s.remove_prefix(inner->size() + 3);
  }
  if (const auto inner = BracketGroup(s)) {
    const LogLevelTag level = LevelFromName(*inner);
    if (level != LogLevelTag::kUnknown) {
      out.level = level;
      s.remove_prefix(inner->size() + 3);
    }
  }
  out.message = s;
  return out;
}

LineClass ClassifyRecord(std::string_view record, bool ends_with_newline, LogLineState& state,
                         LogEvent& ev) {
  const LogPrefixes prefixes = StripPrefixes(record);
  ev.kind = LogEventKind::kOther;
  ev.level = prefixes.level;
  ev.context = prefixes.context;
  ev.timestamp = prefixes.timestamp;
  const std::string_view msg = parse::Trim(prefixes.message);
  ev.line = msg;
  if (msg.empty() || msg.starts_with("Skip ('#EXT")) return LineClass::kNoise;
  if (int64_t n = 0;
      prefixes.context.empty() && OneNumber(msg, "Last message repeated ", " times", &n)) {
    ev.count = n;
    return LineClass::kRepeat;
  }
  if (TryStatus(msg, ends_with_newline, ev)) {
    state.input_opened = true;
    return LineClass::kEvent;
  }
  if (msg.starts_with("Input #")) state.input_opened = true;
  if (TryOpening(msg, ev) || TryHlsRequest(msg, ev) || TryHttpStatus(msg, ev) ||
      TrySegmentErrors(msg, ev) || TryPlaylistMisc(msg, ev) || TryReconnect(msg, ev) ||
      TryConnectFailed(msg, ev) || TryPrematureEnd(msg, ev) || TryInputErrors(msg, state, ev)) {
    return LineClass::kEvent;
  }
  if (LooksLikeProblem(ev)) {
    ev.kind = LogEventKind::kOther;
    ev.message = msg;
    return LineClass::kEvent;
  }
  return LineClass::kPlain;
}

LogEventKind ClassifyUrl(std::string_view url) {
  // The one URL classifier (hls::GuessKindFromUrl); what FFmpeg's HLS demuxer opens that is
  // not a playlist, key or init section is a media segment.
  switch (hls::GuessKindFromUrl(url)) {
    case hls::ResourceKind::kMaster:
    case hls::ResourceKind::kMediaPlaylist:
      return LogEventKind::kPlaylistOpen;
    case hls::ResourceKind::kKey:
      return LogEventKind::kKeyOpen;
    case hls::ResourceKind::kInit:
      return LogEventKind::kInitSegmentOpen;
    case hls::ResourceKind::kSegment:
    case hls::ResourceKind::kPart:
    case hls::ResourceKind::kOther:
      return LogEventKind::kSegmentOpen;
  }
  return LogEventKind::kSegmentOpen;
}

int HttpStatusFromError(std::string_view error, bool* class_only) {
  *class_only = false;
  const size_t at = error.find("Server returned ");
  if (at == std::string_view::npos) return 0;
  std::string_view s = error.substr(at + 16);
  if (s.size() >= 3 && (s[0] == '4' || s[0] == '5') && s[1] == 'X' && s[2] == 'X') {
    *class_only = true;
    return (s[0] - '0') * 100;
  }
  const auto code = ConsumeInt(s);
  if (!code || *code < 100 || *code > 999) return 0;
  return static_cast<int>(*code);
}

}  // namespace hs::ffmpeg
