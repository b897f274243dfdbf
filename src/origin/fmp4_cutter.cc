// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/fmp4_cutter.h"

#include <fmt/format.h>

namespace hs::origin {
namespace {

constexpr std::uint32_t kNonSyncSample = 0x00010000;
constexpr std::uint32_t kVideoTrackId = 1;
constexpr std::size_t kMaxBox = 64u << 20;  // a 1/3 s fragment is far below this

std::uint32_t Be32(std::string_view b, std::size_t at) {
  if (at + 4 > b.size()) return 0;
  return (std::uint32_t(std::uint8_t(b[at])) << 24) |
         (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
}

// Calls fn(type, payload) for each box in \a b (a sequence of complete boxes). False if a
// box header is inconsistent.
template <typename Fn>
bool ForEachBox(std::string_view b, Fn fn) {
  std::size_t at = 0;
  while (at + 8 <= b.size()) {
    std::uint64_t size = Be32(b, at);
    std::size_t header = 8;
    if (size == 1) {
      if (at + 16 > b.size()) return false;
      size = (std::uint64_t(Be32(b, at + 8)) << 32) | Be32(b, at + 12);
      header = 16;
    } else if (size == 0) {
      size = b.size() - at;
    }
    if (size < header || at + size > b.size()) return false;
    fn(b.substr(at + 4, 4), b.substr(at + header, size - header));
    at += size;
  }
  return at == b.size();
}

}  // namespace

bool Fmp4Cutter::Feed(std::string_view data) {
  if (!error_.empty()) return false;
  buf_.append(data);
  std::size_t at = 0;
  while (buf_.size() - at >= 16 || (buf_.size() - at >= 8 && Be32(buf_, at) != 1)) {
    std::string_view rest(buf_.data() + at, buf_.size() - at);
    std::uint64_t size = Be32(rest, 0);
    if (size == 1) size = (std::uint64_t(Be32(rest, 8)) << 32) | Be32(rest, 12);
    if (size < 8 || size > kMaxBox) {
      error_ = fmt::format("fMP4: bad box size {} at stream offset {}", size, at);
      return false;
    }
    if (rest.size() < size) break;
    if (!OnBox(rest.substr(4, 4), rest.substr(0, size))) return false;
    at += size;
  }
  buf_.erase(0, at);
  return true;
}

bool Fmp4Cutter::OnBox(std::string_view type, std::string_view box) {
  if (type == "ftyp" && !init_done_) {
    init_.assign(box);
  } else if (type == "moov" && !init_done_) {
    init_.append(box);
    init_done_ = true;
    ParseMoov(box.substr(8));
  } else if (type == "moof") {
    moof_.assign(box);
  } else if (type == "mdat") {
    if (moof_.empty()) return true;  // mdat without moof: not ours to cut
    Fmp4Fragment f;
    if (!ParseMoof(std::string_view(moof_).substr(8), &f)) {
      error_ = "fMP4: malformed moof";
      return false;
    }
    f.bytes = std::move(moof_);
    f.bytes.append(box);
    moof_.clear();
    ready_.push_back(std::move(f));
  }
  return true;
}

void Fmp4Cutter::ParseMoov(std::string_view moov) {
  ForEachBox(moov, [&](std::string_view type, std::string_view p) {
    if (type != "mvex") return;
    ForEachBox(p, [&](std::string_view t2, std::string_view trex) {
      // trex: version/flags, track_ID, default description index, duration, size, flags.
      if (t2 == "trex" && Be32(trex, 4) == kVideoTrackId) trex_video_flags_ = Be32(trex, 20);
    });
  });
}

bool Fmp4Cutter::ParseMoof(std::string_view moof, Fmp4Fragment* out) {
  bool ok = true;
  bool ok_boxes = ForEachBox(moof, [&](std::string_view type, std::string_view traf) {
    if (type != "traf") return;
    std::uint32_t track = 0;
    std::uint32_t default_flags = trex_video_flags_;
    std::uint32_t count = 0;
    std::uint32_t first_flags = 0;
    bool have_first = false;
    ok = ForEachBox(traf,
                    [&](std::string_view t, std::string_view p) {
                      const std::uint32_t vf = Be32(p, 0) & 0xffffff;
                      if (t == "tfhd") {
                        track = Be32(p, 4);
                        std::size_t at = 8;
                        if (vf & 0x01) at += 8;  // base data offset
                        if (vf & 0x02) at += 4;  // sample description index
                        if (vf & 0x08) at += 4;  // default duration
                        if (vf & 0x10) at += 4;  // default size
                        if (vf & 0x20) default_flags = Be32(p, at);
                      } else if (t == "trun") {
                        count = Be32(p, 4);
                        std::size_t at = 8;
                        if (vf & 0x01) at += 4;  // data offset
                        if (vf & 0x04) {
                          first_flags = Be32(p, at);
                          have_first = true;
                        } else if ((vf & 0x400) && count > 0) {
                          at += ((vf & 0x100) ? 4 : 0) + ((vf & 0x200) ? 4 : 0);
                          first_flags = Be32(p, at);
                          have_first = true;
                        }
                      }
                    }) &&
         ok;
    if (track != kVideoTrackId) return;
    out->video_samples = static_cast<int>(count);
    out->independent =
        count > 0 && ((have_first ? first_flags : default_flags) & kNonSyncSample) == 0;
  });
  return ok && ok_boxes;
}

}  // namespace hs::origin
