// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/playlist.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "hls/attribute_list.h"
#include "hls/url.h"

namespace hs::hls {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kHeader = "#EXTM3U";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view SkipBomAndSpace(std::string_view body) {
  if (body.substr(0, kBom.size()) == kBom) body.remove_prefix(kBom.size());
  while (!body.empty() && IsSpace(body.front())) body.remove_prefix(1);
  return body;
}

std::optional<std::uint64_t> ParseUint(std::string_view s) {
  s = Trim(s);
  std::uint64_t n = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, n);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

// decimal-floating-point of RFC 8216 §4.2: non-negative, finite.
std::optional<double> ParseDecimal(std::string_view s) {
  s = Trim(s);
  double d = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, d, std::chars_format::fixed);
  if (s.empty() || ec != std::errc() || ptr != end || !std::isfinite(d) || d < 0) {
    return std::nullopt;
  }
  return d;
}

// Byte ranges are "<length>[@<offset>]" both in #EXT-X-BYTERANGE and in MAP's BYTERANGE.
struct RawRange {
  std::uint64_t length = 0;
  std::optional<std::uint64_t> offset;
};

std::optional<RawRange> ParseRange(std::string_view s) {
  const size_t at = s.find('@');
  RawRange r;
  const std::optional<std::uint64_t> len = ParseUint(s.substr(0, at));
  if (!len) return std::nullopt;
  r.length = *len;
  if (at != std::string_view::npos) {
    r.offset = ParseUint(s.substr(at + 1));
    if (!r.offset) return std::nullopt;
  }
  return r;
}

// signed-decimal-floating-point of RFC 8216 §4.2 (EXT-X-START TIME-OFFSET).
std::optional<double> ParseSignedDecimal(std::string_view s) {
  s = Trim(s);
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  const std::optional<double> d = ParseDecimal(s);
  if (!d) return std::nullopt;
  return negative ? -*d : *d;
}

// Reads exactly \a n digits from the front of \a s.
std::optional<int> TakeDigits(std::string_view& s, size_t n) {
  if (s.size() < n) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  return v;
}

bool TakeChar(std::string_view& s, std::string_view any_of) {
  if (s.empty() || any_of.find(s.front()) == std::string_view::npos) return false;
  s.remove_prefix(1);
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

class Parser {
 public:
  Parser(std::string_view base_url, int header_line) : base_url_(base_url), line_no_(header_line) {}

  Result<Playlist> Run(std::string_view lines);

 private:
  Result<void> OnLine(std::string_view line);
  Result<void> OnTag(std::string_view name, std::string_view value);
  Result<void> OnMasterTag(std::string_view name, std::string_view value);
  Result<void> OnStreamInf(std::string_view value);
  Result<void> OnMedia(std::string_view value);
  Result<void> OnExtinf(std::string_view value);
  Result<void> OnKey(std::string_view value);
  Result<void> OnMap(std::string_view value);
  Result<void> OnStart(std::string_view value);
  Result<void> OnLowLatencyTag(std::string_view name, std::string_view value);
  void OnPart(const AttributeList& attrs);
  void OnServerControl(const AttributeList& attrs);
  Result<void> OnSkip(const AttributeList& attrs);
  void OnPreloadHint(const AttributeList& attrs);
  void OnRenditionReport(const AttributeList& attrs);
  Result<void> OnUri(std::string_view line);
  Result<void> Finish();
  Result<AttributeList> Attributes(std::string_view tag, std::string_view value) const;
  tl::unexpected<Error> LineError(std::string_view what) const;
  void Warn(std::string_view what);
  std::string Resolve(std::string_view ref) const { return ResolveUrl(base_url_, ref); }

  std::string_view base_url_;
  Playlist playlist_;
  int line_no_;  // 1-based number of the line being parsed
  bool saw_media_tag_ = false;
  bool saw_target_duration_ = false;
  bool warned_long_segment_ = false;
  std::optional<VariantStream> pending_variant_;  // #EXT-X-STREAM-INF awaiting its URI line
  std::optional<Segment> pending_segment_;        // #EXTINF awaiting its URI line
  std::optional<RawRange> pending_range_;
  bool pending_discontinuity_ = false;
  std::string key_method_;
  std::string key_uri_;
  std::string map_uri_;
  std::optional<ByteRange> map_range_;
  std::optional<std::int64_t> pending_pdt_ms_;  // #EXT-X-PROGRAM-DATE-TIME for the next segment
  std::optional<std::int64_t> next_pdt_ms_;     // extrapolated from the previous segment
  std::string last_range_uri_;                  // for byte ranges that omit the offset
  std::uint64_t last_range_end_ = 0;
  std::vector<Part> pending_parts_;  // #EXT-X-PART tags for the next segment
  std::string last_part_range_uri_;  // for part byte ranges that omit the offset
  std::uint64_t last_part_range_end_ = 0;
};

Result<Playlist> Parser::Run(std::string_view lines) {
  while (!lines.empty()) {
    const size_t nl = lines.find('\n');
    const std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    ++line_no_;
    if (Result<void> r = OnLine(Trim(line)); !r) return tl::unexpected(r.error());
  }
  if (Result<void> r = Finish(); !r) return tl::unexpected(r.error());
  return std::move(playlist_);
}

Result<void> Parser::OnLine(std::string_view line) {
  if (line.empty()) return {};
  if (line.substr(0, 4) == "#EXT") {
    const size_t colon = line.find(':');
    const std::string_view name =
        line.substr(1, colon == std::string_view::npos ? line.npos : colon - 1);
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    return OnTag(name, value);
  }
  if (line[0] == '#') return {};  // comment
  return OnUri(line);
}

Result<void> Parser::OnTag(std::string_view name, std::string_view value) {
  if (name == "EXT-X-STREAM-INF" || name == "EXT-X-MEDIA") return OnMasterTag(name, value);
  if (name == "EXT-X-PART" || name == "EXT-X-PART-INF" || name == "EXT-X-SERVER-CONTROL" ||
      name == "EXT-X-SKIP" || name == "EXT-X-PRELOAD-HINT" || name == "EXT-X-RENDITION-REPORT") {
    return OnLowLatencyTag(name, value);
  }
  if (name == "EXTINF") return OnExtinf(value);
  if (name == "EXT-X-VERSION") {
    const std::optional<std::uint64_t> v = ParseUint(value);
    if (!v || *v > 1000) return LineError("bad #EXT-X-VERSION");
    playlist_.version = static_cast<int>(*v);
    return {};
  }
  if (name == "EXT-X-TARGETDURATION") {
    const std::optional<double> d = ParseDecimal(value);
    if (!d) return LineError(fmt::format("bad #EXT-X-TARGETDURATION \"{}\"", value));
    playlist_.target_duration_s = *d;
    saw_target_duration_ = saw_media_tag_ = true;
    return {};
  }
  if (name == "EXT-X-MEDIA-SEQUENCE") {
    const std::optional<std::uint64_t> n = ParseUint(value);
    if (!n) return LineError(fmt::format("bad #EXT-X-MEDIA-SEQUENCE \"{}\"", value));
    playlist_.media_sequence = *n;
    saw_media_tag_ = true;
    return {};
  }
  if (name == "EXT-X-BYTERANGE") {
    pending_range_ = ParseRange(value);
    if (!pending_range_) return LineError(fmt::format("bad #EXT-X-BYTERANGE \"{}\"", value));
    return {};
  }
  if (name == "EXT-X-ENDLIST") {
    playlist_.end_list = saw_media_tag_ = true;
  } else if (name == "EXT-X-PLAYLIST-TYPE") {
    playlist_.playlist_type = std::string(Trim(value));
  } else if (name == "EXT-X-DISCONTINUITY") {
    pending_discontinuity_ = true;
    next_pdt_ms_.reset();  // the timeline restarts: no extrapolation across a discontinuity
  } else if (name == "EXT-X-DISCONTINUITY-SEQUENCE") {
    const std::optional<std::uint64_t> n = ParseUint(value);
    if (!n) return LineError(fmt::format("bad #EXT-X-DISCONTINUITY-SEQUENCE \"{}\"", value));
    playlist_.discontinuity_sequence = *n;
    saw_media_tag_ = true;
  } else if (name == "EXT-X-PROGRAM-DATE-TIME") {
    pending_pdt_ms_ = ParseDateTimeMs(value);
    if (!pending_pdt_ms_) Warn(fmt::format("bad #EXT-X-PROGRAM-DATE-TIME \"{}\"", value));
  } else if (name == "EXT-X-START") {
    return OnStart(value);
  } else if (name == "EXT-X-KEY") {
    return OnKey(value);
  } else if (name == "EXT-X-MAP") {
    return OnMap(value);
  }
  return {};
}

Result<void> Parser::OnMasterTag(std::string_view name, std::string_view value) {
  if (saw_media_tag_ || !playlist_.segments.empty() || pending_segment_) {
    return LineError(fmt::format("#{} in a media playlist (mixes master and media tags)", name));
  }
  return name == "EXT-X-STREAM-INF" ? OnStreamInf(value) : OnMedia(value);
}

Result<void> Parser::OnStreamInf(std::string_view value) {
  if (pending_variant_) return LineError("#EXT-X-STREAM-INF without a URI line");
  Result<AttributeList> attrs = Attributes("EXT-X-STREAM-INF", value);
  if (!attrs) return tl::unexpected(attrs.error());
  VariantStream v;
  const std::optional<std::uint64_t> bw = attrs->FindUint("BANDWIDTH");
  if (!bw) return LineError("#EXT-X-STREAM-INF without a numeric BANDWIDTH");
  v.bandwidth = *bw;
  v.average_bandwidth = attrs->FindUint("AVERAGE-BANDWIDTH");
  v.resolution = std::string(attrs->Find("RESOLUTION").value_or(""));
  if (!v.resolution.empty()) {
    const size_t x = v.resolution.find_first_of("xX");
    const auto w = ParseUint(std::string_view(v.resolution).substr(0, x));
    const auto h = x == std::string::npos ? std::nullopt
                                          : ParseUint(std::string_view(v.resolution).substr(x + 1));
    if (w && h && *w < 100000 && *h < 100000) {
      v.width = static_cast<int>(*w);
      v.height = static_cast<int>(*h);
    } else {
      Warn(fmt::format("bad RESOLUTION \"{}\"", v.resolution));
    }
  }
  v.codecs = std::string(attrs->Find("CODECS").value_or(""));
  v.audio_group = std::string(attrs->Find("AUDIO").value_or(""));
  v.video_group = std::string(attrs->Find("VIDEO").value_or(""));
  v.subtitles_group = std::string(attrs->Find("SUBTITLES").value_or(""));
  pending_variant_ = std::move(v);
  return {};
}

Result<void> Parser::OnMedia(std::string_view value) {
  Result<AttributeList> attrs = Attributes("EXT-X-MEDIA", value);
  if (!attrs) return tl::unexpected(attrs.error());
  Rendition r;
  r.type = std::string(attrs->Find("TYPE").value_or(""));
  r.group_id = std::string(attrs->Find("GROUP-ID").value_or(""));
  if (r.type.empty() || r.group_id.empty())
    return LineError("#EXT-X-MEDIA without TYPE or GROUP-ID");
  r.name = std::string(attrs->Find("NAME").value_or(""));
  r.language = std::string(attrs->Find("LANGUAGE").value_or(""));
  r.is_default = attrs->Find("DEFAULT").value_or("") == "YES";
  r.autoselect = attrs->Find("AUTOSELECT").value_or("") == "YES";
  if (const auto uri = attrs->Find("URI"); uri && !uri->empty()) r.uri = Resolve(*uri);
  playlist_.renditions.push_back(std::move(r));
  return {};
}

Result<void> Parser::OnExtinf(std::string_view value) {
  if (pending_variant_ || !playlist_.variants.empty() || !playlist_.renditions.empty()) {
    return LineError("#EXTINF in a master playlist (mixes master and media tags)");
  }
  if (pending_segment_) Warn("#EXTINF without a URI line (ignored)");
  const size_t comma = value.find(',');
  const std::optional<double> d = ParseDecimal(value.substr(0, comma));
  if (!d) return LineError(fmt::format("bad #EXTINF duration \"{}\"", value.substr(0, comma)));
  Segment s;
  s.duration_s = *d;
  s.parts = std::move(pending_parts_);
  pending_parts_.clear();
  if (comma != std::string_view::npos) s.title = std::string(Trim(value.substr(comma + 1)));
  pending_segment_ = std::move(s);
  saw_media_tag_ = true;
  return {};
}

Result<void> Parser::OnKey(std::string_view value) {
  Result<AttributeList> attrs = Attributes("EXT-X-KEY", value);
  if (!attrs) return tl::unexpected(attrs.error());
  const std::string_view method = attrs->Find("METHOD").value_or("");
  if (method.empty()) return LineError("#EXT-X-KEY without METHOD");
  if (method == "NONE") {
    key_method_.clear();
    key_uri_.clear();
    return {};
  }
  key_method_ = std::string(method);
  const std::optional<std::string_view> uri = attrs->Find("URI");
  if (!uri || uri->empty())
    return LineError(fmt::format("#EXT-X-KEY METHOD={} without URI", method));
  key_uri_ = Resolve(*uri);
  return {};
}

Result<void> Parser::OnMap(std::string_view value) {
  Result<AttributeList> attrs = Attributes("EXT-X-MAP", value);
  if (!attrs) return tl::unexpected(attrs.error());
  const std::optional<std::string_view> uri = attrs->Find("URI");
  if (!uri || uri->empty()) return LineError("#EXT-X-MAP without URI");
  map_range_.reset();
  if (const auto range = attrs->Find("BYTERANGE")) {
    const std::optional<RawRange> r = ParseRange(*range);
    if (!r) return LineError(fmt::format("bad #EXT-X-MAP BYTERANGE \"{}\"", *range));
    map_range_ = ByteRange{r->length, r->offset.value_or(0)};
  }
  map_uri_ = Resolve(*uri);
  saw_media_tag_ = true;
  return {};
}

Result<void> Parser::OnStart(std::string_view value) {
  Result<AttributeList> attrs = Attributes("EXT-X-START", value);
  if (!attrs) return tl::unexpected(attrs.error());
  const std::optional<std::string_view> offset = attrs->Find("TIME-OFFSET");
  const std::optional<double> d = offset ? ParseSignedDecimal(*offset) : std::nullopt;
  if (!d) {
    Warn("#EXT-X-START without a valid TIME-OFFSET (ignored)");
    return {};
  }
  playlist_.start_time_offset_s = *d;
  playlist_.start_precise = attrs->Find("PRECISE").value_or("") == "YES";
  return {};
}

// The LL-HLS tags of RFC 8216bis (§4.4.3.7, §4.4.3.8, §4.4.4.9, §4.4.5.1-3). They are media
// playlist tags; apart from EXT-X-SKIP (which shifts every media sequence number) a malformed
// one is a warning and is ignored, so that a player can still fall back to whole segments.
Result<void> Parser::OnLowLatencyTag(std::string_view name, std::string_view value) {
  if (pending_variant_ || !playlist_.variants.empty() || !playlist_.renditions.empty()) {
    return LineError(fmt::format("#{} in a master playlist (mixes master and media tags)", name));
  }
  saw_media_tag_ = true;
  if (name == "EXT-X-PART-INF") {
    Result<AttributeList> attrs = ParseAttributeList(value);
    const std::optional<std::string_view> target =
        attrs ? attrs->Find("PART-TARGET") : std::nullopt;
    const std::optional<double> d = target ? ParseDecimal(*target) : std::nullopt;
    if (!d || *d <= 0) {
      Warn("#EXT-X-PART-INF without a valid PART-TARGET (ignored)");
      return {};
    }
    playlist_.part_target_s = *d;
    return {};
  }
  Result<AttributeList> attrs = ParseAttributeList(value);
  if (name == "EXT-X-SKIP") {
    if (!attrs) return LineError(fmt::format("#EXT-X-SKIP: {}", attrs.error().detail));
    return OnSkip(*attrs);
  }
  if (!attrs) {
    Warn(fmt::format("#{}: {} (ignored)", name, attrs.error().detail));
    return {};
  }
  if (name == "EXT-X-PART") {
    OnPart(*attrs);
  } else if (name == "EXT-X-SERVER-CONTROL") {
    OnServerControl(*attrs);
  } else if (name == "EXT-X-PRELOAD-HINT") {
    OnPreloadHint(*attrs);
  } else {
    OnRenditionReport(*attrs);
  }
  return {};
}

void Parser::OnPart(const AttributeList& attrs) {
  const std::optional<std::string_view> uri = attrs.Find("URI");
  const std::optional<std::string_view> duration = attrs.Find("DURATION");
  const std::optional<double> d = duration ? ParseDecimal(*duration) : std::nullopt;
  if (!uri || uri->empty() || !d) {
    Warn("#EXT-X-PART without URI or a valid DURATION (ignored)");
    return;
  }
  Part part;
  part.duration_s = *d;
  part.uri = Resolve(*uri);
  part.independent = attrs.Find("INDEPENDENT").value_or("") == "YES";
  part.gap = attrs.Find("GAP").value_or("") == "YES";
  if (const std::optional<std::string_view> range = attrs.Find("BYTERANGE")) {
    const std::optional<RawRange> r = ParseRange(*range);
    if (!r) {
      Warn(fmt::format("#EXT-X-PART with a bad BYTERANGE \"{}\" (ignored)", *range));
      return;
    }
    const std::uint64_t continued = last_part_range_uri_ == part.uri ? last_part_range_end_ : 0;
    part.byte_range = ByteRange{r->length, r->offset.value_or(continued)};
    last_part_range_uri_ = part.uri;
    last_part_range_end_ = part.byte_range->offset + part.byte_range->length;
  } else {
    last_part_range_uri_.clear();
  }
  pending_parts_.push_back(std::move(part));
}

void Parser::OnServerControl(const AttributeList& attrs) {
  ServerControl& sc = playlist_.server_control;
  sc.can_block_reload = attrs.Find("CAN-BLOCK-RELOAD").value_or("") == "YES";
  sc.can_skip_dateranges = attrs.Find("CAN-SKIP-DATERANGES").value_or("") == "YES";
  const auto seconds = [&](std::string_view attr, double* out) {
    *out = 0;
    const std::optional<std::string_view> v = attrs.Find(attr);
    if (!v) return;
    const std::optional<double> d = ParseDecimal(*v);
    if (!d) {
      Warn(fmt::format("#EXT-X-SERVER-CONTROL: bad {} \"{}\" (ignored)", attr, *v));
      return;
    }
    *out = *d;
  };
  seconds("CAN-SKIP-UNTIL", &sc.can_skip_until_s);
  seconds("HOLD-BACK", &sc.hold_back_s);
  seconds("PART-HOLD-BACK", &sc.part_hold_back_s);
}

Result<void> Parser::OnSkip(const AttributeList& attrs) {
  const std::optional<std::uint64_t> n = attrs.FindUint("SKIPPED-SEGMENTS");
  if (!n) return LineError("#EXT-X-SKIP without a numeric SKIPPED-SEGMENTS");
  // The skipped segments come first: a later EXT-X-SKIP would shift the segments already listed.
  if (!playlist_.segments.empty() || pending_segment_ || !pending_parts_.empty() ||
      playlist_.skipped_segments > 0) {
    return LineError("#EXT-X-SKIP after a media segment");
  }
  playlist_.skipped_segments = *n;
  // Nothing is known about the time of the skipped segments: no PDT extrapolation across them.
  next_pdt_ms_.reset();
  return {};
}

void Parser::OnPreloadHint(const AttributeList& attrs) {
  const std::string_view type = attrs.Find("TYPE").value_or("");
  const std::optional<std::string_view> uri = attrs.Find("URI");
  if ((type != "PART" && type != "MAP") || !uri || uri->empty()) {
    Warn("#EXT-X-PRELOAD-HINT without TYPE=PART|MAP or URI (ignored)");
    return;
  }
  PreloadHint hint;
  hint.is_map = type == "MAP";
  hint.uri = Resolve(*uri);
  const std::optional<std::string_view> start = attrs.Find("BYTERANGE-START");
  const std::optional<std::string_view> length = attrs.Find("BYTERANGE-LENGTH");
  if (start) {
    const std::optional<std::uint64_t> v = ParseUint(*start);
    if (!v) {
      Warn(fmt::format("#EXT-X-PRELOAD-HINT: bad BYTERANGE-START \"{}\" (ignored)", *start));
      return;
    }
    hint.byterange_start = *v;
  }
  if (length) {
    hint.byterange_length = ParseUint(*length);
    if (!hint.byterange_length) {
      Warn(fmt::format("#EXT-X-PRELOAD-HINT: bad BYTERANGE-LENGTH \"{}\" (ignored)", *length));
      return;
    }
  }
  playlist_.preload_hints.push_back(std::move(hint));
}

void Parser::OnRenditionReport(const AttributeList& attrs) {
  const std::optional<std::string_view> uri = attrs.Find("URI");
  if (!uri || uri->empty()) {
    Warn("#EXT-X-RENDITION-REPORT without URI (ignored)");
    return;
  }
  RenditionReport report;
  report.uri = Resolve(*uri);
  report.last_msn = attrs.FindUint("LAST-MSN");
  report.last_part = attrs.FindUint("LAST-PART");
  playlist_.rendition_reports.push_back(std::move(report));
}

Result<void> Parser::OnUri(std::string_view line) {
  if (pending_variant_) {
    pending_variant_->uri = Resolve(line);
    playlist_.variants.push_back(std::move(*pending_variant_));
    pending_variant_.reset();
    return {};
  }
  if (!pending_segment_) {
    Warn(fmt::format("URI \"{}\" without #EXTINF or #EXT-X-STREAM-INF (ignored)", line));
    return {};
  }
  Segment s = std::move(*pending_segment_);
  pending_segment_.reset();
  s.uri = Resolve(line);
  if (pending_range_) {
    ByteRange br{pending_range_->length, pending_range_->offset.value_or(0)};
    if (!pending_range_->offset) {
      if (last_range_uri_ != s.uri)
        return LineError(
            "#EXT-X-BYTERANGE without offset does not "
            "follow a sub-range of the same resource");
      br.offset = last_range_end_;
    }
    s.byte_range = br;
    last_range_uri_ = s.uri;
    last_range_end_ = br.offset + br.length;
    pending_range_.reset();
  } else {
    last_range_uri_.clear();
  }
  s.map_uri = map_uri_;
  s.map_byte_range = map_range_;
  s.program_date_time_ms = pending_pdt_ms_ ? pending_pdt_ms_ : next_pdt_ms_;
  pending_pdt_ms_.reset();
  next_pdt_ms_.reset();
  // An absurd EXTINF (found by the fuzz test) must not overflow the extrapolation: a year caps it.
  if (s.program_date_time_ms && s.duration_s < 365.0 * 86400) {
    next_pdt_ms_ = *s.program_date_time_ms + std::llround(s.duration_s * 1000);
  }
  s.key_method = key_method_;
  s.key_uri = key_uri_;
  s.discontinuity = std::exchange(pending_discontinuity_, false);
  // RFC 8216 §4.3.3.1: the EXTINF duration rounded to the nearest integer must not exceed
  // the target duration. Players cope, but live edge timing (and our stall watchdog) suffer.
  if (saw_target_duration_ && !warned_long_segment_ &&
      std::round(s.duration_s) > playlist_.target_duration_s) {
    warned_long_segment_ = true;
    Warn(fmt::format("segment of {:g} s exceeds #EXT-X-TARGETDURATION {:g}", s.duration_s,
                     playlist_.target_duration_s));
  }
  playlist_.segments.push_back(std::move(s));
  return {};
}

Result<void> Parser::Finish() {
  if (pending_variant_) return LineError("#EXT-X-STREAM-INF without a URI line at end of playlist");
  if (pending_segment_) Warn("#EXTINF without a URI line at end of playlist (ignored)");
  playlist_.is_master = !playlist_.variants.empty() || !playlist_.renditions.empty();
  if (!playlist_.is_master) {
    playlist_.trailing_parts = std::move(pending_parts_);
    playlist_.trailing_pdt_ms = pending_pdt_ms_ ? pending_pdt_ms_ : next_pdt_ms_;
  }
  if (playlist_.is_master && playlist_.variants.empty()) {
    return Fail(ErrorCode::kParse, "master playlist has #EXT-X-MEDIA but no #EXT-X-STREAM-INF");
  }
  if (!playlist_.is_master && !saw_target_duration_) {
    playlist_.warnings.insert(playlist_.warnings.begin(),
                              "media playlist has no #EXT-X-TARGETDURATION");
  }
  return {};
}

Result<AttributeList> Parser::Attributes(std::string_view tag, std::string_view value) const {
  Result<AttributeList> attrs = ParseAttributeList(value);
  if (!attrs) return LineError(fmt::format("#{}: {}", tag, attrs.error().detail));
  return attrs;
}

tl::unexpected<Error> Parser::LineError(std::string_view what) const {
  return Fail(ErrorCode::kParse, fmt::format("playlist line {}: {}", line_no_, what));
}

void Parser::Warn(std::string_view what) {
  playlist_.warnings.push_back(fmt::format("line {}: {}", line_no_, what));
}

}  // namespace

std::optional<std::int64_t> ParseDateTimeMs(std::string_view text) {
  std::string_view s = Trim(text);
  const auto year = TakeDigits(s, 4);
  if (!year || !TakeChar(s, "-")) return std::nullopt;
  const auto month = TakeDigits(s, 2);
  if (!month || !TakeChar(s, "-")) return std::nullopt;
  const auto day = TakeDigits(s, 2);
  if (!day || !TakeChar(s, "Tt ")) return std::nullopt;
  const auto hour = TakeDigits(s, 2);
  if (!hour || !TakeChar(s, ":")) return std::nullopt;
  const auto minute = TakeDigits(s, 2);
  if (!minute || !TakeChar(s, ":")) return std::nullopt;
  const auto second = TakeDigits(s, 2);
  if (!second || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  std::int64_t ms = 0;
  if (TakeChar(s, ".,")) {
    int scale = 100, digits = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      ms += (s.front() - '0') * scale;
      scale /= 10;
      ++digits;
      s.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
  }
  std::int64_t zone_s = 0;
  if (!TakeChar(s, "Zz") && !s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    const auto zh = TakeDigits(s, 2);
    TakeChar(s, ":");
    const auto zm = s.empty() ? std::optional<int>(0) : TakeDigits(s, 2);
    if (!zh || !zm || *zh > 23 || *zm > 59) return std::nullopt;
    zone_s = sign * (*zh * 3600 + *zm * 60);
  }
  if (!s.empty()) return std::nullopt;
  const std::int64_t days = DaysFromCivil(*year, *month, *day);
  const std::int64_t secs = days * 86400 + *hour * 3600 + *minute * 60 + *second - zone_s;
  return secs * 1000 + ms;
}

std::string QuoteBodyStart(std::string_view body, size_t max_chars) {
  body = SkipBomAndSpace(body);
  std::string out;
  size_t i = 0;
  for (; i < body.size() && out.size() < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (IsSpace(body[i])) {
      if (out.empty() || out.back() != ' ') out += ' ';
    } else {
      out += (c < 0x20 || c >= 0x7f) ? '?' : body[i];
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (i < body.size()) out += "...";
  return out;
}

bool CoversDelta(const Playlist& previous, const Playlist& delta) {
  if (delta.skipped_segments == 0) return true;
  if (previous.is_master || delta.is_master || previous.skipped_segments > 0) return false;
  const std::uint64_t held = previous.segments.size();
  // previous holds [media_sequence, +held); the delta skips [its media_sequence, +skipped).
  return previous.media_sequence <= delta.media_sequence && delta.skipped_segments <= held &&
         delta.media_sequence - previous.media_sequence <= held - delta.skipped_segments;
}

Result<Playlist> MergeDelta(const Playlist& previous, const Playlist& delta) {
  if (delta.skipped_segments == 0) return delta;
  if (previous.skipped_segments > 0) {
    return Fail(ErrorCode::kParse, "bad delta update: the previous playlist is itself a delta");
  }
  if (!CoversDelta(previous, delta)) {
    return Fail(ErrorCode::kParse,
                fmt::format("bad delta update: it skips {} segments from {} but the previous "
                            "playlist holds {} from {}",
                            delta.skipped_segments, delta.media_sequence, previous.segments.size(),
                            previous.media_sequence));
  }
  Playlist merged = delta;  // everything but the segments comes from the delta
  std::vector<Segment> listed = std::move(merged.segments);
  merged.skipped_segments = 0;
  const auto from = previous.segments.begin() +
                    static_cast<std::ptrdiff_t>(delta.media_sequence - previous.media_sequence);
  merged.segments.clear();
  merged.segments.reserve(delta.skipped_segments + listed.size());
  merged.segments.assign(from, from + static_cast<std::ptrdiff_t>(delta.skipped_segments));
  const Segment last_skipped = merged.segments.back();
  // The delta's segments before its first PDT tag continue the skipped segments' timeline.
  std::optional<std::int64_t> next_pdt_ms;
  if (last_skipped.program_date_time_ms && last_skipped.duration_s < 365.0 * 86400) {
    next_pdt_ms = *last_skipped.program_date_time_ms + std::llround(last_skipped.duration_s * 1000);
  }
  for (Segment& s : listed) {
    if (s.map_uri.empty()) {
      s.map_uri = last_skipped.map_uri;
      s.map_byte_range = last_skipped.map_byte_range;
    }
    if (s.key_method.empty()) {
      s.key_method = last_skipped.key_method;
      s.key_uri = last_skipped.key_uri;
    }
    if (s.discontinuity) next_pdt_ms.reset();
    if (!s.program_date_time_ms) s.program_date_time_ms = next_pdt_ms;
    next_pdt_ms.reset();
    if (s.program_date_time_ms && s.duration_s < 365.0 * 86400) {
      next_pdt_ms = *s.program_date_time_ms + std::llround(s.duration_s * 1000);
    }
    merged.segments.push_back(std::move(s));
  }
  return merged;
}

Result<Playlist> ParsePlaylist(std::string_view body, std::string_view base_url) {
  const std::string_view text = SkipBomAndSpace(body);
  if (text.empty()) return Fail(ErrorCode::kHttp, "not an HLS playlist: the body is empty");
  const bool header_ok = text.substr(0, kHeader.size()) == kHeader &&
                         (text.size() == kHeader.size() || IsSpace(text[kHeader.size()]));
  if (!header_ok) {
    return Fail(ErrorCode::kHttp,
                fmt::format("not an HLS playlist (no #EXTM3U header); body starts with \"{}\"",
                            QuoteBodyStart(text)));
  }
  const size_t nl = text.find('\n');
  // Leading blank lines still count, so that error line numbers match an editor's.
  const auto skipped = body.substr(0, body.size() - text.size());
  Parser parser(base_url, 1 + static_cast<int>(std::count(skipped.begin(), skipped.end(), '\n')));
  return parser.Run(nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1));
}

}  // namespace hs::hls
