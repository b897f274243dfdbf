// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::origin {

/// One moof+mdat pair of a fragmented MP4 stream: one LL-HLS part.
struct Fmp4Fragment {
  std::string bytes;         ///< the moof box followed by its mdat box
  int video_samples = 0;     ///< samples of the video track (track_ID 1) in this fragment
  bool independent = false;  ///< the video track's first sample is a sync sample (keyframe)
};

/// Cuts the byte stream FFmpeg's mp4 muxer writes with
/// `-movflags empty_moov+default_base_moof+frag_keyframe -frag_duration D` into the
/// initialisation segment (ftyp+moov) and fragments (moof+mdat). The video track is track_ID 1
/// (the generator maps video first). A fragment is independent when its video traf's first
/// sample flags (trun first_sample_flags, else per-sample flags, else tfhd default, else trex
/// default) have sample_is_non_sync_sample clear. Other top-level boxes are skipped.
/// Hand-written box walker; no allocation beyond the input and output buffers.
class Fmp4Cutter {
 public:
  /// Appends \a data. False once the stream is malformed (error() says why); later calls
  /// return false too.
  bool Feed(std::string_view data);
  /// ftyp+moov, complete once the moov box has arrived (empty before).
  const std::string& init() const { return init_done_ ? init_ : empty_; }
  /// Fragments completed since the last call, in stream order.
  std::vector<Fmp4Fragment> TakeFragments() { return std::exchange(ready_, {}); }
  const std::string& error() const { return error_; }

 private:
  bool OnBox(std::string_view type, std::string_view box);
  bool ParseMoof(std::string_view moof, Fmp4Fragment* out);
  void ParseMoov(std::string_view moov);

  std::string buf_;
  std::string init_;
  std::string empty_;
  bool init_done_ = false;
  std::string moof_;
  std::vector<Fmp4Fragment> ready_;
  std::uint32_t trex_video_flags_ = 0;
  std::string error_;
};

}  // namespace hs::origin
