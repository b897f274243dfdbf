// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The CTA-5004 (CMCD) keys a player knows about each request it makes. They are filled for
// every request (a few integer copies); the engine sends them only with -cmcd.
#include <algorithm>

#include "player/cmcd.h"
#include "player/player.h"

namespace hs::player {

void Player::FillCmcd(std::size_t index, FetchRequest& req) const {
  cmcd::Object& o = req.cmcd;
  const Track& t = tracks_[index];
  // su: the media is not playing yet (CTA-5004: startup); bs: it stalled since the last
  // request went out (hls.js sends bs on the first request after a buffer-empty event).
  o.su = !playing_;
  o.bs = starved_;
  if (t.playlist) o.st = t.playlist->end_list ? 'v' : 'l';
  bool media = false;
  switch (req.kind) {
    case measure::RequestKind::kMaster:
    case measure::RequestKind::kMediaPlaylist:
      o.ot = cmcd::ObjectType::kManifest;
      break;
    case measure::RequestKind::kInit:
      o.ot = cmcd::ObjectType::kInit;
      media = true;
      break;
    case measure::RequestKind::kKey:
      o.ot = cmcd::ObjectType::kKey;
      break;
    case measure::RequestKind::kSegment:
    case measure::RequestKind::kPart:
      // The main track carries video only when an alternate audio rendition plays beside it.
      o.ot = index == 1          ? cmcd::ObjectType::kAudio
             : tracks_[1].active ? cmcd::ObjectType::kVideo
                                 : cmcd::ObjectType::kMuxed;
      o.d_ms = cmcd::Millis(req.media_duration_s);
      o.bl_100ms = cmcd::BufferLength100ms(std::max(0.0, t.buffered_s - Playhead(Now())));
      media = true;
      break;
    case measure::RequestKind::kOther:
      break;
  }
  // br/tb: the main track's rendition from the master (an audio rendition has no BANDWIDTH).
  // tb is the highest the player may choose: every variant with -variant abr, else its own.
  if (media && index == 0 && master_ && !need_master_) {
    const auto& variants = master_->variants;
    o.br_kbps = cmcd::Kbps(variants[variant_index_].bandwidth);
    o.tb_kbps = o.br_kbps;
    if (variant_ == config::Variant::kAbr) {
      for (const hls::VariantStream& v : variants) {
        o.tb_kbps = std::max(o.tb_kbps, cmcd::Kbps(v.bandwidth));
      }
    }
  }
  // mtp: the throughput estimate of the main track's downloads, once there is one.
  if (abr_.Measured()) o.mtp_100kbps = cmcd::Throughput100kbps(abr_.EstimateBps());
}

}  // namespace hs::player
