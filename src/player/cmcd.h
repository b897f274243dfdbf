// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// CTA-5004 Common Media Client Data (CMCD, version 1): what a player tells the CDN with each
// request, so the CDN's logs can be joined with the run. Pure formatting: the player fills a
// compact Object per request (kept in its FetchRequest, so a viewer holds no more than before),
// the engine adds the session keys and sends it as one CMCD= query parameter or as the
// CMCD-Request, CMCD-Object, CMCD-Status and CMCD-Session headers.
//
// CTA-5004 §3.3: keys in alphabetical order, comma separated; strings quoted (", \ escaped),
// tokens and numbers bare; a true boolean is the bare key and a false one is not sent.
// Integers: br/tb/mtp in kbps, d/bl in ms; bl and mtp rounded to the nearest 100.

#include <cstdint>
#include <string>
#include <string_view>

namespace hs::player::cmcd {

/// `ot`: the kind of object requested.
enum class ObjectType : std::uint8_t {
  kNone,      ///< not sent
  kManifest,  ///< m: a master or media playlist
  kAudio,     ///< a: audio-only segment
  kVideo,     ///< v: video-only segment
  kMuxed,     ///< av: muxed audio and video segment
  kInit,      ///< i: init section (EXT-X-MAP)
  kKey,       ///< k: decryption key
};

/// The per-request keys a player knows. 20 bytes; 0 / kUnknown = not sent.
struct Object {
  static constexpr std::uint16_t kUnknown = 0xffff;
  std::uint32_t br_kbps = 0;  ///< br: encoded bitrate of the rendition (BANDWIDTH / 1000)
  std::uint32_t tb_kbps = 0;  ///< tb: top bitrate the player may choose
  std::uint32_t d_ms = 0;     ///< d: playback duration of the object
  /// bl: buffer length in units of 100 ms, already rounded (BufferLength100ms).
  std::uint16_t bl_100ms = kUnknown;
  /// mtp: measured throughput in units of 100 kbps, already rounded (Throughput100kbps).
  std::uint16_t mtp_100kbps = kUnknown;
  ObjectType ot = ObjectType::kNone;
  bool su = false;  ///< su: startup, the media is not playing yet
  bool bs = false;  ///< bs: the buffer starved since the previous request
  char st = 0;      ///< st: 'l' live, 'v' VOD, 0 not known yet (the master playlist)
};

/// The keys of a viewer's session.
struct Session {
  std::string_view sid;  ///< session id (SessionId)
  std::string_view cid;  ///< content id; "" = not sent
};

/// bps → kbps, rounded to nearest (br, tb).
std::uint32_t Kbps(std::uint64_t bps);
/// Seconds → ms, rounded to nearest (d); negative → 0.
std::uint32_t Millis(double seconds);
/// Buffer length in seconds → units of 100 ms, rounded to nearest (CTA-5004 bl).
std::uint16_t BufferLength100ms(double seconds);
/// Throughput in bits/s → units of 100 kbps, rounded to nearest (CTA-5004 mtp).
std::uint16_t Throughput100kbps(double bps);

/// The 24-character prefix of this run's session ids: "xxxxxxxx-xxxx-4xxx-yxxx-" from 80
/// random bits (version 4, variant 10xx).
std::string SessionPrefix(std::uint64_t random_hi, std::uint64_t random_lo);
/// A viewer's session id: \a prefix followed by the viewer id as 12 hex digits, a UUIDv4
/// shape unique per viewer and run, computed when needed (nothing stored per viewer).
std::string SessionId(std::string_view prefix, std::uint64_t viewer_id);

/// Which CMCD header a key goes in (CTA-5004 §3.2).
enum class Header : std::uint8_t { kObject, kRequest, kSession, kStatus };

/// The keys of \a header, alphabetical, comma separated ("" when none apply).
std::string Keys(const Object& o, const Session& s, Header header);
/// Every key, alphabetical, comma separated: the CMCD query parameter's value, unencoded.
std::string Payload(const Object& o, const Session& s);
/// \a url with "CMCD=<percent-encoded payload>" appended after "?" or "&" (before a
/// #fragment).
std::string AppendQuery(std::string_view url, const Object& o, const Session& s);
/// The header lines ("CMCD-Object: ...\r\n" ...) of the headers that have keys.
std::string HeaderLines(const Object& o, const Session& s);

}  // namespace hs::player::cmcd
