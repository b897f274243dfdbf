// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/llhls_stream.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace hs::origin {

double LlhlsTiming::PartTarget() const { return std::ceil(1000.0 * part_frames / fps) / 1000.0; }

void LlhlsStream::AddPart(std::shared_ptr<const std::string> data, int frames, bool independent,
                          double wall_unix) {
  if (!t_.every_part_independent && !segs_.empty() && !segs_.back().complete && independent &&
      !segs_.back().parts.empty()) {
    segs_.back().complete = true;  // a keyframe before the GOP's end: close the segment early
    ++next_msn_;
  }
  if (segs_.empty() || segs_.back().complete) {
    LlhlsSegment s;
    s.msn = next_msn_;
    s.pdt_unix = wall_unix;
    segs_.push_back(std::move(s));
  }
  LlhlsSegment& open = segs_.back();
  open.parts.push_back({std::move(data), frames, independent});
  open.frames += frames;
  if (open.frames >= t_.segment_frames) {
    open.complete = true;
    ++next_msn_;
  }
  while (complete_segments() > t_.list_size) segs_.pop_front();
}

int LlhlsStream::complete_segments() const {
  int n = 0;
  for (const LlhlsSegment& s : segs_) n += s.complete ? 1 : 0;
  return n;
}

int LlhlsStream::open_parts() const {
  if (segs_.empty() || segs_.back().complete) return 0;
  return static_cast<int>(segs_.back().parts.size());
}

std::int64_t LlhlsStream::last_msn() const { return segs_.empty() ? -1 : segs_.back().msn; }

std::pair<std::int64_t, int> LlhlsStream::LastPart() const {
  if (segs_.empty()) return {-1, -1};
  const LlhlsSegment& s = segs_.back();
  return {s.msn, static_cast<int>(s.parts.size()) - 1};
}

bool LlhlsStream::Has(std::int64_t msn, int part) const {
  if (part < 0) return msn < next_msn_;
  if (msn < next_msn_) {
    const LlhlsSegment* s = Find(msn);
    if (s == nullptr || part < static_cast<int>(s->parts.size())) return true;  // or too old
    return Has(msn + 1, 0);
  }
  return msn == next_msn_ && part < open_parts();
}

const LlhlsSegment* LlhlsStream::Find(std::int64_t msn) const {
  if (segs_.empty() || msn < segs_.front().msn || msn > segs_.back().msn) return nullptr;
  return &segs_[static_cast<std::size_t>(msn - segs_.front().msn)];
}

const LlhlsPart* LlhlsStream::FindPart(std::int64_t msn, int part) const {
  const LlhlsSegment* s = Find(msn);
  if (s == nullptr || part < 0 || part >= static_cast<int>(s->parts.size())) return nullptr;
  return &s->parts[static_cast<std::size_t>(part)];
}

std::string LlhlsStream::Playlist(bool skip, std::string_view map_uri,
                                  std::string_view reports) const {
  const double part_target = t_.PartTarget();
  std::string out = fmt::format(
      "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:{}\n#EXT-X-PART-INF:PART-TARGET={:.3f}\n"
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3f},CAN-SKIP-UNTIL={:.1f}\n"
      "#EXT-X-MEDIA-SEQUENCE:{}\n#EXT-X-MAP:URI=\"{}\"\n",
      t_.target_duration, part_target, 3 * part_target, t_.SkipUntil(),
      segs_.empty() ? next_msn_ : segs_.front().msn, map_uri);
  // Segments that end at least CAN-SKIP-UNTIL before the end of the playlist can be skipped.
  std::size_t skipped = 0;
  if (skip) {
    double after = 0;  // seconds of media after segment i
    std::vector<double> tail(segs_.size(), 0);
    for (std::size_t i = segs_.size(); i-- > 0;) {
      tail[i] = after;
      after += static_cast<double>(segs_[i].frames) / t_.fps;
    }
    while (skipped < segs_.size() && segs_[skipped].complete && tail[skipped] >= t_.SkipUntil())
      ++skipped;
    if (skipped > 0) out += fmt::format("#EXT-X-SKIP:SKIPPED-SEGMENTS={}\n", skipped);
  }
  const int complete = complete_segments();
  int index = 0;
  for (const LlhlsSegment& s : segs_) {
    const bool list_parts = !s.complete || index >= complete - t_.part_segments;
    ++index;
    if (static_cast<std::size_t>(index) <= skipped) continue;
    out += fmt::format("#EXT-X-PROGRAM-DATE-TIME:{}\n", IsoTime(s.pdt_unix));
    if (list_parts) {
      for (std::size_t k = 0; k < s.parts.size(); ++k) {
        out += fmt::format("#EXT-X-PART:DURATION={:.5f},URI=\"part_{}_{}.m4s\"{}\n",
                           static_cast<double>(s.parts[k].frames) / t_.fps, s.msn, k,
                           s.parts[k].independent ? ",INDEPENDENT=YES" : "");
      }
    }
    if (s.complete) {
      out += fmt::format("#EXTINF:{:.5f},\nseg_{}.m4s\n", static_cast<double>(s.frames) / t_.fps,
                         s.msn);
    }
  }
  out += fmt::format("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_{}_{}.m4s\"\n", next_msn_,
                     open_parts());
  out += reports;
  return out;
}

namespace {
bool ParseInt(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

LlhlsQuery ParseLlhlsQuery(std::string_view query) {
  LlhlsQuery q;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = kv.find('=');
    std::string_view key = kv.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    std::int64_t n = 0;
    if (key == "_HLS_msn") {
      if (!ParseInt(value, &n)) q.bad = true;
      q.msn = n;
    } else if (key == "_HLS_part") {
      if (!ParseInt(value, &n) || n > 1000000) q.bad = true;
      q.part = static_cast<int>(n);
    } else if (key == "_HLS_skip") {
      if (value == "YES" || value == "v2") {
        q.skip = true;
      } else {
        q.bad = true;
      }
    }
  }
  if (q.part && !q.msn) q.bad = true;
  return q;
}

std::string IsoTime(double unix_seconds) {
  const auto whole = static_cast<std::time_t>(unix_seconds);
  const int ms = static_cast<int>((unix_seconds - static_cast<double>(whole)) * 1000.0);
  std::tm tm{};
  ::gmtime_r(&whole, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace hs::origin
