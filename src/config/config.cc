// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/config.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace hs::config {

namespace {

std::vector<ProfileValues> MakeProfiles() {
  // Order and values are SPEC §2 and nix/swarm-client/config.nix; a test pins every cell.
  //        name       clients ramp jitter port  log level            variant        recon  rdm
  //        retry timeout
  return {
      {"default", 50, 5, 100, 9090, LogLevel::kInfo, Variant::kAll, true, 5, 3, 15},
      {"stress", 200, 20, 50, 9090, LogLevel::kWarning, Variant::kAll, true, 3, 2, 10},
      {"gentle", 20, 1, 500, 9090, LogLevel::kInfo, Variant::kFirst, true, 10, 5, 30},
      {"burst", 100, 50, 10, 9090, LogLevel::kWarning, Variant::kAll, false, 0, 1, 5},
      {"extreme", 500, 50, 20, 9090, LogLevel::kError, Variant::kAll, true, 2, 1, 5},
  };
}

}  // namespace

Derived Config::ComputeDerived() const {
  Derived d;
  // Nix's `/` on integers truncates toward zero; C++ int division does the same.
  d.ramp_duration_s = ramp_rate > 0 ? clients / ramp_rate : 0;
  d.estimated_memory_mb = clients * 19 + 64;
  d.recommended_fd_limit = clients * 15 + 1000;
  d.recommended_ports = clients * 5;
  return d;
}

const std::vector<ProfileValues>& Profiles() {
  static const std::vector<ProfileValues> kProfiles = MakeProfiles();
  return kProfiles;
}

std::optional<ProfileValues> FindProfile(const std::string& name) {
  for (const ProfileValues& p : Profiles()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

std::vector<std::string> SortedProfileNames() {
  std::vector<std::string> names;
  for (const ProfileValues& p : Profiles()) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string>& OriginProfileNames() {
  static const std::vector<std::string> kNames = {"default", "low-latency", "abr",       "stress",
                                                  "tiny",    "ll-hls",      "ll-hls-abr"};
  return kNames;
}

const char* ToString(Variant v) {
  switch (v) {
    case Variant::kAll:
      return "all";
    case Variant::kFirst:
      return "first";
    case Variant::kHighest:
      return "highest";
    case Variant::kLowest:
      return "lowest";
    case Variant::kAbr:
      return "abr";
  }
  return "all";
}

const char* ToString(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

const char* ToString(LogFormat f) {
  switch (f) {
    case LogFormat::kText:
      return "text";
    case LogFormat::kJson:
      return "json";
  }
  return "text";
}

std::optional<Variant> ParseVariant(const std::string& s) {
  for (Variant v :
       {Variant::kAll, Variant::kFirst, Variant::kHighest, Variant::kLowest, Variant::kAbr}) {
    if (s == ToString(v)) return v;
  }
  return std::nullopt;
}

std::optional<LogLevel> ParseLogLevel(const std::string& s) {
  if (s == "warn") return LogLevel::kWarning;
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (s == ToString(l)) return l;
  }
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(const std::string& s) {
  for (LogFormat f : {LogFormat::kText, LogFormat::kJson}) {
    if (s == ToString(f)) return f;
  }
  return std::nullopt;
}

const char* ToString(TapMode mode) {
  switch (mode) {
    case TapMode::kOff:
      return "off";
    case TapMode::kTunnels:
      return "tunnels";
    case TapMode::kRequests:
      return "requests";
  }
  return "off";
}

TapMode Config::TapModeFor(std::string_view url) const {
  // Native viewers measure every request themselves, on http and https alike.
  if (!tap || !HasFfmpeg()) return TapMode::kOff;
  // https: the tap intercepts TLS (FfmpegViewers falls back to kTunnels if it cannot).
  if (url.empty() || url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) {
    return TapMode::kRequests;
  }
  return TapMode::kOff;
}

std::string Config::ViewerUserAgent(int id) const {
  return user_agent + std::string(kViewerIdMarker) + std::to_string(id);
}

const char* ToString(Engine e) { return e == Engine::kNative ? "native" : "ffmpeg"; }

EngineAssigner Config::EngineMixAssigner(const StreamAssigner& by_stream) const {
  if (engine_mix.empty()) return EngineAssigner();
  std::vector<int> percents;
  for (const EngineShare& e : engine_mix) percents.push_back(e.percent);
  return EngineAssigner(by_stream, percents);
}

int Config::ViewersOf(Engine e) const {
  const int n = std::max(clients, 0);
  if (engine_mix.empty()) return engine == e ? n : 0;
  std::vector<int> weights;
  for (const StreamSpec& st : streams) weights.push_back(st.weight);
  const std::vector<int> split =
      EngineMixAssigner(StreamAssigner(weights)).Counts(client_id_offset, n);
  int out = 0;
  for (std::size_t i = 0; i < engine_mix.size() && i < split.size(); ++i)
    out += engine_mix[i].engine == e ? split[i] : 0;
  return out;
}

std::string Config::EngineText() const {
  return engine_mix.empty() ? std::string(ToString(engine)) : ToString(engine_mix);
}

std::optional<Engine> ParseEngine(const std::string& s) {
  for (Engine e : {Engine::kFfmpeg, Engine::kNative}) {
    if (s == ToString(e)) return e;
  }
  return std::nullopt;
}

const char* ToString(VodEnd v) { return v == VodEnd::kStop ? "stop" : "restart"; }

std::optional<VodEnd> ParseVodEnd(const std::string& s) {
  for (VodEnd v : {VodEnd::kRestart, VodEnd::kStop}) {
    if (s == ToString(v)) return v;
  }
  return std::nullopt;
}

const char* ToString(CmcdMode m) {
  switch (m) {
    case CmcdMode::kOff:
      return "off";
    case CmcdMode::kQuery:
      return "query";
    case CmcdMode::kHeader:
      return "header";
  }
  return "?";
}

std::optional<CmcdMode> ParseCmcdMode(const std::string& s) {
  for (CmcdMode m : {CmcdMode::kOff, CmcdMode::kQuery, CmcdMode::kHeader}) {
    if (s == ToString(m)) return m;
  }
  return std::nullopt;
}

namespace {

// "NAME:PERCENT,..." with each name once and the percents summing to 100 (-variant-mix,
// -engine-mix). \a parse gives the value of a name, nullopt when it is not one; \a what and
// \a choices word the error ("variant", "first, highest, lowest or abr").
template <typename Share, auto Key, typename Parse>
std::optional<std::vector<Share>> ParseShares(std::string_view s, std::string* why, Parse parse,
                                              std::string_view what, std::string_view choices) {
  std::vector<Share> mix;
  int total = 0;
  while (true) {
    const std::size_t comma = s.find(',');
    const std::string_view item = s.substr(0, comma);
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      *why = fmt::format("'{}' is not {}:PERCENT", item, what == "variant" ? "VARIANT" : "ENGINE");
      return std::nullopt;
    }
    const auto v = parse(std::string(item.substr(0, colon)));
    const std::string_view pct = item.substr(colon + 1);
    int percent = 0;
    const auto [ptr, ec] = std::from_chars(pct.data(), pct.data() + pct.size(), percent);
    if (!v) {
      *why = fmt::format("'{}' is not {} {}; choose {}", item.substr(0, colon),
                         what == "engine" ? "an" : "a", what, choices);
      return std::nullopt;
    }
    if (pct.empty() || ec != std::errc() || ptr != pct.data() + pct.size() || percent < 1 ||
        percent > 100) {
      *why = "'" + std::string(pct) + "' is not a whole percent 1..100";
      return std::nullopt;
    }
    for (const Share& e : mix) {
      if (ToString(e.*Key) == ToString(*v)) {
        *why = std::string(ToString(*v)) + " is given twice";
        return std::nullopt;
      }
    }
    Share share;
    share.*Key = *v;
    share.percent = percent;
    mix.push_back(share);
    total += percent;
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  if (total != 100) {
    *why = "the shares add up to " + std::to_string(total) + "%, not 100%";
    return std::nullopt;
  }
  return mix;
}

template <typename Share, auto Key>
std::string SharesText(const std::vector<Share>& mix) {
  std::string out;
  for (const Share& e : mix) {
    out +=
        (out.empty() ? "" : ",") + std::string(ToString(e.*Key)) + ":" + std::to_string(e.percent);
  }
  return out;
}

}  // namespace

std::optional<std::vector<VariantShare>> ParseVariantMix(std::string_view s, std::string* why) {
  return ParseShares<VariantShare, &VariantShare::variant>(
      s, why,
      [](const std::string& name) -> std::optional<Variant> {
        std::optional<Variant> v = ParseVariant(name);
        if (v == Variant::kAll) return std::nullopt;
        return v;
      },
      "variant", "first, highest, lowest or abr");
}

std::string ToString(const std::vector<VariantShare>& mix) {
  return SharesText<VariantShare, &VariantShare::variant>(mix);
}

std::optional<std::vector<EngineShare>> ParseEngineMix(std::string_view s, std::string* why) {
  return ParseShares<EngineShare, &EngineShare::engine>(s, why, ParseEngine, "engine",
                                                        "native or ffmpeg");
}

std::string ToString(const std::vector<EngineShare>& mix) {
  return SharesText<EngineShare, &EngineShare::engine>(mix);
}

}  // namespace hs::config
