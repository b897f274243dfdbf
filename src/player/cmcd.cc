// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/cmcd.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hs::player::cmcd {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

std::uint16_t Round100(double value) {
  if (!(value > 0)) return 0;
  const double units = std::floor(value / 100.0 + 0.5);
  return static_cast<std::uint16_t>(std::min(units, 65534.0));
}

const char* OtToken(ObjectType ot) {
  switch (ot) {
    case ObjectType::kManifest:
      return "m";
    case ObjectType::kAudio:
      return "a";
    case ObjectType::kVideo:
      return "v";
    case ObjectType::kMuxed:
      return "av";
    case ObjectType::kInit:
      return "i";
    case ObjectType::kKey:
      return "k";
    case ObjectType::kNone:
      break;
  }
  return nullptr;
}

void AppendQuoted(std::string_view value, std::string* out) {
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

// Appends the keys of \a only (or of every header when \a all) in alphabetical order.
std::string Format(const Object& o, const Session& s, Header only, bool all) {
  std::string out;
  auto key = [&](Header h, std::string_view name) {
    if (!all && h != only) return false;
    if (!out.empty()) out.push_back(',');
    out += name;
    return true;
  };
  auto number = [&](Header h, std::string_view name, std::uint64_t v) {
    if (key(h, name)) out += fmt::format("={}", v);
  };
  const bool media =
      o.ot == ObjectType::kAudio || o.ot == ObjectType::kVideo || o.ot == ObjectType::kMuxed;
  // bl is meant for audio and video objects only (CTA-5004 §3.3).
  if (media && o.bl_100ms != Object::kUnknown) number(Header::kRequest, "bl", o.bl_100ms * 100u);
  if (o.br_kbps != 0) number(Header::kObject, "br", o.br_kbps);
  if (o.bs) key(Header::kStatus, "bs");
  if (!s.cid.empty() && key(Header::kSession, "cid")) {
    out.push_back('=');
    AppendQuoted(s.cid, &out);
  }
  if (o.d_ms != 0) number(Header::kObject, "d", o.d_ms);
  if (o.mtp_100kbps != Object::kUnknown) {
    number(Header::kRequest, "mtp", o.mtp_100kbps * 100u);
  }
  if (const char* ot = OtToken(o.ot); ot != nullptr && key(Header::kObject, "ot")) {
    out += fmt::format("={}", ot);
  }
  if (key(Header::kSession, "sf")) out += "=h";  // HLS
  if (!s.sid.empty() && key(Header::kSession, "sid")) {
    out.push_back('=');
    AppendQuoted(s.sid, &out);
  }
  if ((o.st == 'l' || o.st == 'v') && key(Header::kSession, "st")) {
    out.push_back('=');
    out.push_back(o.st);
  }
  if (o.su) key(Header::kRequest, "su");
  if (o.tb_kbps != 0) number(Header::kObject, "tb", o.tb_kbps);
  return out;
}

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::uint32_t Kbps(std::uint64_t bps) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>((bps + 500) / 1000, UINT32_MAX));
}

std::uint32_t Millis(double seconds) {
  if (!(seconds > 0)) return 0;
  return static_cast<std::uint32_t>(std::min(std::floor(seconds * 1000 + 0.5), 4e9));
}

std::uint16_t BufferLength100ms(double seconds) { return Round100(seconds * 1000); }

std::uint16_t Throughput100kbps(double bps) { return Round100(bps / 1000); }

std::string SessionPrefix(std::uint64_t random_hi, std::uint64_t random_lo) {
  // 20 hex digits before the viewer id: 8-4-4-4 with the version nibble 4 and variant 10xx.
  std::string out;
  int bit = 0;
  auto next = [&]() {
    const std::uint64_t word = bit < 64 ? random_hi : random_lo;
    const int shift = 60 - bit % 64;
    bit += 4;
    return static_cast<unsigned>((word >> shift) & 0xf);
  };
  for (int i = 0; i < 20; ++i) {
    if (i == 8 || i == 12 || i == 16) out.push_back('-');
    unsigned nibble = next();
    if (i == 12) nibble = 4;
    if (i == 16) nibble = 8 | (nibble & 3);
    out.push_back(kHex[nibble]);
  }
  out.push_back('-');
  return out;
}

std::string SessionId(std::string_view prefix, std::uint64_t viewer_id) {
  std::string out(prefix);
  for (int shift = 44; shift >= 0; shift -= 4) out.push_back(kHex[(viewer_id >> shift) & 0xf]);
  return out;
}

std::string Keys(const Object& o, const Session& s, Header header) {
  return Format(o, s, header, false);
}

std::string Payload(const Object& o, const Session& s) {
  return Format(o, s, Header::kObject, true);
}

std::string AppendQuery(std::string_view url, const Object& o, const Session& s) {
  const std::size_t hash = url.find('#');
  const std::string_view base = url.substr(0, hash);
  std::string out(base);
  if (base.find('?') == std::string_view::npos) {
    out.push_back('?');
  } else if (base.back() != '?' && base.back() != '&') {
    out.push_back('&');
  }
  out += "CMCD=";
  for (char c : Payload(o, s)) {
    if (Unreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kUpperHex[b >> 4]);
      out.push_back(kUpperHex[b & 0xf]);
    }
  }
  if (hash != std::string_view::npos) out += url.substr(hash);
  return out;
}

std::string HeaderLines(const Object& o, const Session& s) {
  std::string out;
  static constexpr struct {
    Header header;
    const char* name;
  } kHeaders[] = {{Header::kObject, "CMCD-Object"},
                  {Header::kRequest, "CMCD-Request"},
                  {Header::kSession, "CMCD-Session"},
                  {Header::kStatus, "CMCD-Status"}};
  for (const auto& h : kHeaders) {
    const std::string keys = Keys(o, s, h.header);
    if (!keys.empty()) out += fmt::format("{}: {}\r\n", h.name, keys);
  }
  return out;
}

}  // namespace hs::player::cmcd
