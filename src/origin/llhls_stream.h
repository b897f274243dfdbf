// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::origin {

/// Playlist constants of one LL-HLS rendition.
struct LlhlsTiming {
  int fps = 30;
  int part_frames = 10;     ///< frames per part
  int segment_frames = 60;  ///< frames per segment (= GOP)
  int target_duration = 2;  ///< EXT-X-TARGETDURATION, seconds
  int list_size = 10;       ///< complete segments kept and listed
  int part_segments = 3;    ///< complete segments that still list their EXT-X-PART tags
  /// Every part starts with a keyframe (the LL profiles encode a keyframe per part): segments
  /// are cut by frame count alone. When false, keyframes are expected only at segment starts
  /// and an early one closes the open segment.
  bool every_part_independent = false;

  /// PART-TARGET, seconds, rounded up to the millisecond (>= every part's duration).
  double PartTarget() const;
  /// CAN-SKIP-UNTIL = 6 x target duration.
  double SkipUntil() const { return 6.0 * target_duration; }
};

struct LlhlsPart {
  std::shared_ptr<const std::string> data;
  int frames = 0;
  bool independent = false;
};

struct LlhlsSegment {
  std::int64_t msn = 0;
  std::vector<LlhlsPart> parts;
  int frames = 0;
  bool complete = false;
  double pdt_unix = 0;  ///< wall clock when its first part arrived, Unix seconds
};

/// The rolling window of one rendition: complete segments plus the one being filled. A value
/// type without I/O; the server feeds it parts and asks it for playlists and payloads.
class LlhlsStream {
 public:
  LlhlsStream(LlhlsTiming timing, std::int64_t first_msn) : t_(timing), next_msn_(first_msn) {}

  /// Appends one part that arrived at \a wall_unix. An independent part after a partial
  /// segment closes it early; a segment is complete once it holds segment_frames frames.
  void AddPart(std::shared_ptr<const std::string> data, int frames, bool independent,
               double wall_unix);

  const LlhlsTiming& timing() const { return t_; }
  /// MSN and part count of the segment being filled (the next to complete).
  std::int64_t open_msn() const { return next_msn_; }
  int open_parts() const;
  /// MSN of the last segment that has at least one part (the playlist's last segment); -1 when
  /// nothing has arrived yet.
  std::int64_t last_msn() const;
  /// LAST-MSN / LAST-PART of EXT-X-RENDITION-REPORT: the last part that exists.
  std::pair<std::int64_t, int> LastPart() const;
  bool HasPart() const { return !segs_.empty() && !segs_.front().parts.empty(); }
  int complete_segments() const;

  /// Whether part \a part of segment \a msn exists (a part past a complete segment's last
  /// part means part 0 of the next segment; \a part < 0: the whole segment).
  bool Has(std::int64_t msn, int part) const;
  const LlhlsSegment* Find(std::int64_t msn) const;
  const LlhlsPart* FindPart(std::int64_t msn, int part) const;

  /// The media playlist; \a skip: a delta update (EXT-X-SKIP) when segments can be skipped.
  /// \a reports: EXT-X-RENDITION-REPORT lines (already formatted) appended at the end.
  std::string Playlist(bool skip, std::string_view map_uri, std::string_view reports) const;

 private:
  LlhlsTiming t_;
  std::int64_t next_msn_;
  std::deque<LlhlsSegment> segs_;  // oldest first; the last one may be open
};

/// Parses the LL-HLS query (`_HLS_msn`, `_HLS_part`, `_HLS_skip`) of a playlist request.
struct LlhlsQuery {
  std::optional<std::int64_t> msn;
  std::optional<int> part;
  bool skip = false;
  bool bad = false;  ///< 400: non-numeric values, _HLS_part without _HLS_msn, bad _HLS_skip
};
LlhlsQuery ParseLlhlsQuery(std::string_view query);

/// Formats a Unix time as ISO 8601 UTC with milliseconds ("2026-12-03T05:50:00.123Z").
std::string IsoTime(double unix_seconds);

}  // namespace hs::origin
