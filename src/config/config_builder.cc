// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/config_builder.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/duration.h"
#include "config/stages.h"
#include "config/validate.h"

#ifndef HLS_SWARM_VERSION
#define HLS_SWARM_VERSION "0.0.0"
#endif

namespace hs::config {

namespace {

using std::chrono::milliseconds;

constexpr int kMaxClients = 100000;

// Where one value came from: an explicit flag or its environment variable.
struct Source {
  std::string flag;  // canonical flag name
  std::string env;   // variable name when the value came from the environment, else ""
  std::string value;
  bool from_extra_args = false;

  // "-clients 0" or "CLIENTS=0": how the user wrote it.
  std::string Subject() const {
    return env.empty() ? fmt::format("-{} {}", flag, QuoteForMessage(value))
                       : fmt::format("{}={}", env, QuoteForMessage(value));
  }
  // An example in the same form, for the fix part of a message.
  std::string Example(std::string_view v) const {
    return env.empty() ? fmt::format("-{} {}", flag, v) : fmt::format("{}={}", env, v);
  }
};

std::string JoinChoices(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::vector<std::string> ProfileNames() {
  std::vector<std::string> names;
  for (const ProfileValues& p : Profiles()) names.push_back(p.name);
  return names;
}

class ConfigBuilder {
 public:
  ConfigBuilder(const ParsedFlags& flags, const GetEnv& getenv, std::vector<std::string>* errors,
                std::vector<std::string>* warnings)
      : flags_(flags), getenv_(getenv), errors_(errors), warnings_(warnings) {}

  Config Build(const BuildOptions& options) {
    Config c;
    ApplyProfile(c);
    ApplyLoadShape(c);
    ApplyShard(c);
    ApplyStream(c);
    ApplyNetwork(c);
    ApplyMetrics(c);
    ApplyOutput(c, options.stdout_is_tty);
    ApplyModes(c);
    ApplyUrl(c, options.url_required);
    ApplyEngine(c);
    return c;
  }

 private:
  // Explicit flag, else non-empty environment variable \a env, else nullopt.
  std::optional<Source> Take(std::string_view flag, std::string_view env = {}) const {
    if (const FlagValue* v = flags_.Last(flag)) {
      return Source{std::string(flag), "", v->value, v->from_extra_args};
    }
    if (!env.empty() && getenv_) {
      std::optional<std::string> value = getenv_(std::string(env));
      if (value && !value->empty()) return Source{std::string(flag), std::string(env), *value};
    }
    return std::nullopt;
  }

  bool Flag(std::string_view name, bool fallback) const {
    return flags_.Has(name) ? flags_.IsSet(name) : fallback;
  }

  void Problem(const Source& s, std::string_view problem) {
    errors_->push_back(
        fmt::format("{}: {}{}", s.Subject(), problem, ExtraArgsNote(s.from_extra_args)));
  }

  // An integer in [min, max]; \a example is a good value for the fix text.
  std::optional<long long> Int(const Source& s, long long min, long long max,
                               std::string_view example, std::string_view too_big = {}) {
    const std::optional<long long> v = ParseInteger(s.value);
    if (!v) {
      Problem(s, fmt::format("not a whole number (e.g. {})", s.Example(example)));
    } else if (*v < min) {
      Problem(s, fmt::format("must be at least {} (e.g. {})", min, s.Example(example)));
    } else if (*v > max) {
      Problem(s, too_big.empty()
                     ? fmt::format("must be at most {} (e.g. {})", max, s.Example(example))
                     : std::string(too_big));
    } else {
      return v;
    }
    return std::nullopt;
  }

  // A Go duration, or a bare number in \a unit; \a hint explains the accepted forms.
  std::optional<std::chrono::nanoseconds> Dur(const Source& s, std::chrono::nanoseconds unit,
                                              std::string_view hint) {
    Result<std::chrono::nanoseconds> d = ParseDurationOrNumber(s.value, unit);
    if (!d) {
      Problem(s, fmt::format("{} ({})", d.error().detail, hint));
      return std::nullopt;
    }
    if (d->count() < 0) {
      Problem(s, fmt::format("must not be negative ({})", hint));
      return std::nullopt;
    }
    return *d;
  }

  void ApplyProfile(Config& c) {
    ProfileValues p = *FindProfile("default");
    if (std::optional<Source> s = Take("profile")) {
      if (std::optional<ProfileValues> found = FindProfile(s->value)) {
        p = *found;
      } else {
        Problem(*s, fmt::format("unknown profile; choose {}", JoinChoices(ProfileNames())));
      }
    }
    c.profile = p.name;
    c.clients = p.clients;
    c.ramp_rate = p.ramp_rate;
    c.ramp_jitter = milliseconds(p.ramp_jitter_ms);
    c.metrics_port = p.metrics_port;
    c.log_level = p.log_level;
    c.variant = p.variant;
    c.reconnect = p.reconnect;
    c.reconnect_delay_max_s = p.reconnect_delay_max_s;
    c.seg_max_retry = p.seg_max_retry;
    c.timeout = std::chrono::seconds(p.timeout_s);
  }

  void ApplyLoadShape(Config& c) {
    if (std::optional<Source> s = Take("clients", "CLIENTS")) {
      const std::string too_big = fmt::format(
          "at most {} viewers per instance; spread larger runs over machines with -shard I/N",
          kMaxClients);
      if (auto v = Int(*s, 1, kMaxClients, "20", too_big)) c.clients = static_cast<int>(*v);
    }
    if (std::optional<Source> s = Take("ramp-rate", "RAMP_RATE")) {
      if (auto v = Int(*s, 1, kMaxClients, "5")) c.ramp_rate = static_cast<int>(*v);
    }
    if (std::optional<Source> s = Take("ramp-jitter")) {
      const std::string hint = fmt::format("milliseconds or a duration, e.g. {} or {}",
                                           s->Example("100"), s->Example("200ms"));
      if (auto d = Dur(*s, milliseconds(1), hint)) {
        c.ramp_jitter = std::chrono::duration_cast<milliseconds>(*d);
      }
    }
    if (std::optional<Source> s = Take("duration")) {
      const std::string hint = fmt::format("e.g. {} or {}; 0 runs until stopped", s->Example("60s"),
                                           s->Example("1h30m"));
      Result<std::chrono::nanoseconds> d = ParseGoDuration(s->value);
      if (!d) {
        Problem(*s, fmt::format("{} ({})", d.error().detail, hint));
      } else if (d->count() < 0) {
        Problem(*s, fmt::format("must not be negative ({})", hint));
      } else {
        c.duration = std::chrono::duration_cast<milliseconds>(*d);
      }
    }
    if (std::optional<Source> s = Take("stages", "STAGES")) {
      if (auto st = ParseStages(s->value); !st) {
        Problem(*s, st.error().detail);
      } else {
        // The plan sets the viewer ids in use (its largest target) and, unless -duration cuts
        // it short, the run's length.
        const StagePlan plan(*st);
        c.stages = std::move(*st);
        c.clients = std::max(1, plan.MaxTarget());
        if (!flags_.Has("duration")) c.duration = plan.TotalDuration();
      }
    }
    if (std::optional<Source> s = Take("seed")) {
      const std::optional<long long> v = ParseInteger(s->value);
      if (v && *v >= 0) {
        c.seed = static_cast<std::uint64_t>(*v);
      } else {
        Problem(*s,
                fmt::format("must be a whole number 0..{} (e.g. {})", LLONG_MAX, s->Example("42")));
      }
    }
  }

  void ApplyShard(Config& c) {
    std::optional<Source> s = Take("shard");
    if (!s) return;
    Result<Shard> shard = ParseShard(s->value);
    if (!shard) {
      Problem(*s, shard.error().detail);
      return;
    }
    const long long offset = static_cast<long long>(shard->index) * c.clients;
    if (offset > INT_MAX) {
      Problem(*s, "shard index times -clients is too large for a viewer id");
      return;
    }
    c.shard_index = shard->index;
    c.shard_count = shard->count;
    c.client_id_offset = static_cast<int>(offset);
  }

  void ApplyStream(Config& c) {
    if (std::optional<Source> s = Take("variant", "VARIANT")) {
      if (std::optional<Variant> v = ParseVariant(s->value)) {
        c.variant = *v;
      } else {
        Problem(*s, "choose all, first, highest, lowest or abr");
      }
    }
    if (std::optional<Source> s = Take("variant-mix")) {
      std::string why;
      if (auto mix = ParseVariantMix(s->value, &why)) {
        c.variant_mix = std::move(*mix);
      } else {
        Problem(*s, fmt::format("{} (e.g. {})", why, s->Example("highest:60,lowest:40")));
      }
    }
    if (std::optional<Source> s = Take("cmcd")) {
      if (std::optional<CmcdMode> m = ParseCmcdMode(s->value)) {
        c.cmcd = *m;
      } else {
        Problem(*s, "choose off, query or header");
      }
    }
    if (std::optional<Source> s = Take("cmcd-cid")) {
      if (s->value.size() > 64 || s->value.find_first_of("\r\n") != std::string::npos) {
        Problem(*s, "at most 64 characters, without CR or LF (CTA-5004 cid)");
      } else {
        c.cmcd_cid = s->value;
      }
    }
    c.no_cache = Flag("no-cache", false);
    if (auto it = flags_.flags.find("header"); it != flags_.flags.end()) {
      for (const FlagValue& h : it->second) {
        const Source s{"header", "", h.value, h.from_extra_args};
        if (Result<void> ok = CheckHeader(h.value); !ok) {
          Problem(s, fmt::format("{} (e.g. -header \"X-Test: 1\")", ok.error().detail));
        } else {
          c.headers.push_back(h.value);
        }
      }
    }
    if (auto it = flags_.flags.find("origin-metrics"); it != flags_.flags.end()) {
      for (const FlagValue& u : it->second) {
        const Source s{"origin-metrics", "", u.value, u.from_extra_args};
        if (Result<std::string> url = CheckStreamUrl(u.value); !url) {
          Problem(s, fmt::format("{} (e.g. -origin-metrics http://origin:9100/metrics)",
                                 url.error().detail));
        } else {
          c.origin_metrics_urls.push_back(*url);
        }
      }
    }
    c.user_agent = "hls-swarm/" HLS_SWARM_VERSION;
    if (std::optional<Source> s = Take("user-agent")) {
      if (s->value.empty() || s->value.find_first_of("\r\n") != std::string::npos) {
        Problem(*s, "must be non-empty and without CR or LF (e.g. -user-agent my-test)");
      } else {
        c.user_agent = s->value;
      }
    }
  }

  void ApplyNetwork(Config& c) {
    if (std::optional<Source> s = Take("timeout")) {
      const std::string hint = fmt::format("seconds or a duration, e.g. {} or {}", s->Example("15"),
                                           s->Example("2500ms"));
      if (auto d = Dur(*s, std::chrono::seconds(1), hint)) {
        if (*d < milliseconds(1)) {
          Problem(*s, fmt::format("must be at least 1ms ({})", hint));
        } else {
          c.timeout = std::chrono::duration_cast<milliseconds>(*d);
        }
      }
    }
    c.reconnect = Flag("reconnect", c.reconnect);
    if (std::optional<Source> s = Take("reconnect-delay-max")) {
      if (auto d = Dur(*s, std::chrono::seconds(1), "whole seconds, e.g. -reconnect-delay-max 5")) {
        if (*d % std::chrono::seconds(1) != std::chrono::nanoseconds(0) ||
            *d > std::chrono::hours(1)) {
          Problem(*s, "must be whole seconds up to 3600 (e.g. -reconnect-delay-max 5)");
        } else {
          c.reconnect_delay_max_s =
              static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(*d).count());
        }
      }
    }
    if (std::optional<Source> s = Take("seg-max-retry")) {
      if (auto v = Int(*s, 0, 1000, "3")) c.seg_max_retry = static_cast<int>(*v);
    }
    c.dangerous = Flag("dangerous", false);
    if (std::optional<Source> s = Take("resolve")) {
      std::string ip = s->value;
      if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
      if (!IsIpLiteral(ip)) {
        Problem(*s, "must be an IPv4 or IPv6 address (e.g. -resolve 192.168.1.50)");
      } else if (!c.dangerous) {
        Problem(*s,
                "needs -dangerous, because it bypasses DNS and turns off TLS verification "
                "(add -dangerous)");
      } else {
        c.resolve_ip = ip;
      }
    }
  }

  // -metrics ADDR:PORT sets both; -metrics-port (flag) or METRICS_PORT (env) sets the port.
  void ApplyMetrics(Config& c) {
    const std::optional<Source> port_flag = Take("metrics-port");
    if (std::optional<Source> both = Take("metrics")) {
      if (Result<HostPort> hp = ParseHostPort(both->value); !hp) {
        Problem(*both, fmt::format("{} (e.g. -metrics 127.0.0.1:9090)", hp.error().detail));
      } else {
        c.metrics_addr = hp->host;
        c.metrics_port = hp->port;
        if (port_flag && port_flag->value != std::to_string(hp->port)) {
          Problem(*both, fmt::format("disagrees with -metrics-port {}; give only one of them",
                                     QuoteForMessage(port_flag->value)));
        }
      }
      if (!port_flag) return;  // an explicit flag beats METRICS_PORT
    }
    if (std::optional<Source> s = port_flag ? port_flag : Take("metrics-port", "METRICS_PORT")) {
      if (auto v = Int(*s, 0, 65535, "9090")) c.metrics_port = static_cast<int>(*v);
    }
  }

  void ApplyOutput(Config& c, bool stdout_is_tty) {
    if (std::optional<Source> s = Take("log-level", "LOG_LEVEL")) {
      if (std::optional<LogLevel> l = ParseLogLevel(s->value)) {
        c.log_level = *l;
      } else {
        Problem(*s, "choose debug, info, warning or error");
      }
    }
    if (std::optional<Source> s = Take("log-format")) {
      if (std::optional<LogFormat> f = ParseLogFormat(s->value)) {
        c.log_format = *f;
      } else {
        Problem(*s, "choose text or json");
      }
    }
    if (std::optional<Source> s = Take("summary-json")) {
      if (s->value.empty()) {
        Problem(*s, "needs a file name (e.g. -summary-json report.json)");
      } else {
        c.summary_json_path = s->value;
      }
    }
    std::vector<Source> threshold_sources;
    if (auto it = flags_.flags.find("threshold"); it != flags_.flags.end()) {
      for (const FlagValue& t : it->second)
        threshold_sources.push_back({"threshold", "", t.value, t.from_extra_args});
    } else if (std::optional<Source> env = Take("threshold", "THRESHOLDS")) {
      // THRESHOLDS="expr;expr": the environment's form of repeated -threshold flags.
      std::string_view rest = env->value;
      while (!rest.empty()) {
        const std::size_t semi = rest.find(';');
        const std::string_view one = rest.substr(0, semi);
        if (one.find_first_not_of(" \t") != std::string_view::npos)
          threshold_sources.push_back({"threshold", "THRESHOLDS", std::string(one), false});
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
      }
    }
    for (const Source& s : threshold_sources) {
      if (Result<Threshold> th = ParseThreshold(s.value); !th) {
        Problem(s, th.error().detail);
      } else {
        c.thresholds.push_back(std::move(*th));
      }
    }
    if (std::optional<Source> s = Take("threshold-grace")) {
      auto d = ParseGoDuration(s->value);
      if (!d || d->count() < 0) {
        Problem(*s, "wants a duration such as 30s or 2m");
      } else {
        c.threshold_grace = std::chrono::duration_cast<milliseconds>(*d);
      }
    }
    if (std::optional<Source> s = Take("junit")) {
      if (s->value.empty()) {
        Problem(*s, "needs a file name (e.g. -junit thresholds.xml)");
      } else {
        c.junit_path = s->value;
      }
    }
    if (std::optional<Source> s = Take("tap-log")) {
      if (s->value.empty()) {
        Problem(*s, "needs a file name (e.g. -tap-log requests.jsonl)");
      } else {
        c.tap_log_path = s->value;
      }
    }
    c.tui = Flag("tui", stdout_is_tty);
    c.tap = Flag("tap", true);
    c.api = Flag("api", true);
    c.origin_exporters = Flag("origin-exporters", false);
  }

  void ApplyModes(Config& c) {
    c.test_origin = Flag("test-origin", false);
    if (std::optional<Source> s = Take("test-origin-profile")) {
      const std::vector<std::string>& names = OriginProfileNames();
      if (std::find(names.begin(), names.end(), s->value) == names.end()) {
        Problem(*s, fmt::format("unknown origin profile; choose {}", JoinChoices(names)));
      } else if (!c.test_origin) {
        Problem(*s, "only used with -test-origin (add -test-origin)");
      } else {
        c.test_origin_profile = s->value;
      }
    }
    if (std::optional<Source> s = Take("ffmpeg"); s && s->value.empty()) {
      Problem(*s, "needs a program name or path (e.g. -ffmpeg /usr/bin/ffmpeg)");
    } else if (s) {
      c.ffmpeg_path = s->value;
    }
    c.check = Flag("check", false);
    c.print_cmd = Flag("print-cmd", false);
    c.print_config = Flag("print-config", false);
    c.print_config_json = c.print_config && Flag("json", false);
    if (Flag("json", false) && !c.print_config) {
      errors_->push_back(
          "-json: only applies to -print-config (for JSON logs use -log-format json, for a JSON "
          "report -summary-json FILE)");
    }
    std::vector<std::string> modes;
    for (const char* m : {"check", "print-cmd", "print-config"}) {
      if (Flag(m, false)) modes.push_back(fmt::format("-{}", m));
    }
    if (modes.size() > 1) {
      errors_->push_back(
          fmt::format("{}: these modes exclude each other; choose one", JoinChoices(modes)));
    }
  }

  // -engine, -engine-mix and the flags that only one engine understands.
  void ApplyEngine(Config& c) {
    const std::optional<Source> engine = Take("engine");
    if (engine) {
      if (std::optional<Engine> e = ParseEngine(engine->value)) {
        c.engine = *e;
      } else {
        Problem(*engine, "choose ffmpeg or native");
      }
    }
    if (std::optional<Source> s = Take("engine-mix", "ENGINE_MIX")) {
      std::string why;
      if (engine) {
        Problem(*s, fmt::format("conflicts with {}; give one of them", engine->Subject()));
      } else if (auto mix = ParseEngineMix(s->value, &why)) {
        // A one-engine mix (native:100) is that engine.
        if (mix->size() == 1) {
          c.engine = mix->front().engine;
        } else {
          c.engine_mix = std::move(*mix);
        }
      } else {
        Problem(*s, fmt::format("{} (e.g. {})", why, s->Example("native:90,ffmpeg:10")));
      }
    }
    if (std::optional<Source> s = Take("vod-end")) {
      if (std::optional<VodEnd> v = ParseVodEnd(s->value)) {
        c.vod_end = *v;
      } else {
        Problem(*s, "choose restart or stop");
      }
    }
    // -vod-end and -pace apply to both engines (FFmpeg: -readrate 1 on a VOD, and a VOD's end
    // is a completed play).
    c.pace = Flag("pace", true);
    c.low_latency = Flag("low-latency", true);
    // In a mix the one-engine flags apply to that engine's viewers.
    const bool native = c.HasNative();
    if (!native && flags_.Has("variant-mix")) {
      errors_->push_back("-variant-mix: only for native viewers (add -engine native)");
    }
    if (c.HasFfmpeg() && c.variant == Variant::kAbr) {
      errors_->push_back(
          fmt::format("-variant abr: only for native viewers ({}); FFmpeg plays every "
                      "rendition (all) or one chosen by ffprobe (highest, lowest)",
                      c.engine_mix.empty() ? "add -engine native"
                                           : "with -engine-mix give -variant-mix abr:100 instead"));
    }
    if (!native && c.cmcd != CmcdMode::kOff) {
      errors_->push_back(
          "-cmcd: only for native viewers (add -engine native); FFmpeg viewers cannot send "
          "CMCD");
    }
    if (flags_.Has("cmcd-cid") && c.cmcd == CmcdMode::kOff) {
      errors_->push_back("-cmcd-cid: needs -cmcd query or -cmcd header");
    }
    if (!c.variant_mix.empty() && flags_.Has("variant")) {
      errors_->push_back("-variant-mix: replaces -variant; give one of them");
    }
    if (!c.engine_mix.empty() && flags_.Has("print-cmd")) {
      errors_->push_back(
          "-print-cmd: not with -engine-mix (it prints viewer 0's FFmpeg command; give "
          "-engine ffmpeg)");
    }
    if (c.HasFfmpeg()) return;
    for (const char* name : {"reconnect", "seg-max-retry", "tap", "print-cmd"}) {
      if (flags_.Has(name)) {
        errors_->push_back(fmt::format(
            "-{}: only for FFmpeg viewers; native viewers {}", name,
            std::string_view(name) == "tap"         ? "measure every request themselves"
            : std::string_view(name) == "print-cmd" ? "run no command (use -print-config)"
                                                    : "retry as hls.js does"));
      }
    }
  }

  void ApplyUrl(Config& c, bool url_required) {
    // The stream list: URL arguments, else -streams FILE, else STREAMS, else STREAM_URL.
    struct Entry {
      StreamSpec spec;
      Source source;
    };
    std::vector<Entry> entries;
    const std::vector<ArgToken>& positionals = flags_.positionals;
    std::optional<Source> file = Take("streams");
    if (!positionals.empty() && file) {
      errors_->push_back(fmt::format(
          "-streams {} and {} URL argument(s) given: use one of them (a flag's value follows "
          "the flag, -clients 20)",
          QuoteForMessage(file->value), positionals.size()));
      return;
    }
    if (positionals.size() > kMaxStreams) {
      errors_->push_back(fmt::format(
          "{} stream URLs given: at most {} (a flag's value follows the flag, -clients 20, and "
          "booleans are cleared with -flag=false)",
          positionals.size(), kMaxStreams));
      return;
    }
    for (const ArgToken& p : positionals) {
      entries.push_back({StreamSpec{p.text, 1}, Source{"", "", p.text, p.from_extra_args}});
    }
    std::optional<Source> list = file;
    std::string list_text;
    if (entries.empty() && file) {
      std::ifstream in(file->value);
      if (!in) {
        Problem(*file, "cannot read the file (one stream URL [WEIGHT] per line)");
        return;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      list_text = ss.str();
    } else if (entries.empty() && getenv_) {
      list = Take("", "STREAMS");
      if (list) list_text = list->value;
    }
    if (entries.empty() && list) {
      Result<std::vector<StreamSpec>> specs =
          ParseStreamList(list_text, list->env.empty() ? "" : ";");
      if (!specs) {
        Problem(*list, specs.error().detail);
        return;
      }
      for (StreamSpec& sp : *specs) {
        Source src = *list;
        src.value = sp.url;
        entries.push_back({std::move(sp), src});
      }
    }
    if (entries.empty() && getenv_) {
      std::optional<std::string> env = getenv_("STREAM_URL");
      if (env && !env->empty())
        entries.push_back({StreamSpec{*env, 1}, Source{"", "STREAM_URL", *env}});
    }
    std::optional<Source> weights = Take("weights", "WEIGHTS");
    if (entries.empty()) {
      if (url_required && !c.print_config && !c.test_origin) {
        errors_->push_back(
            "missing stream URL: give it as the last argument or set STREAM_URL (e.g. "
            "hls-swarm -clients 20 http://origin:8080/live/stream.m3u8), or add -test-origin");
      }
      if (weights) Problem(*weights, "weights without stream URLs");
      return;
    }
    bool ok = true;
    for (Entry& e : entries) {
      Result<std::string> url = CheckStreamUrl(e.spec.url);
      if (!url) {
        const Source& s = e.source;
        std::string subject;
        if (s.env == "STREAM_URL") {
          subject = s.Subject();
        } else if (!s.flag.empty() || !s.env.empty()) {
          subject = fmt::format("{} {}: stream URL {}", s.env.empty() ? "-streams" : s.env,
                                s.env.empty() ? QuoteForMessage(file->value) : "",
                                QuoteForMessage(e.spec.url));
        } else {
          subject = fmt::format("stream URL {}", QuoteForMessage(e.spec.url));
        }
        // A stray word among several URL arguments is often a flag's value or a boolean.
        const std::string hint =
            s.flag.empty() && s.env.empty() && positionals.size() > 1
                ? fmt::format(
                      "; {} URL arguments: a flag's value follows the flag (-clients 20) "
                      "and booleans are cleared with -flag=false",
                      positionals.size())
                : "";
        errors_->push_back(fmt::format("{}: {}{}{}", subject, url.error().detail, hint,
                                       ExtraArgsNote(s.from_extra_args)));
        ok = false;
        continue;
      }
      e.spec.url = *url;
    }
    if (weights) {
      Result<std::vector<int>> w = ParseWeights(weights->value);
      if (!w) {
        Problem(*weights, w.error().detail);
        ok = false;
      } else if (w->size() != entries.size()) {
        Problem(*weights, fmt::format("{} weight(s) for {} stream(s): give one per stream",
                                      w->size(), entries.size()));
        ok = false;
      } else {
        for (std::size_t i = 0; i < entries.size(); ++i) entries[i].spec.weight = (*w)[i];
      }
    }
    if (!ok) return;
    for (Entry& e : entries) c.streams.push_back(std::move(e.spec));
    c.stream_url = c.streams.front().url;
  }

  const ParsedFlags& flags_;
  const GetEnv& getenv_;
  std::vector<std::string>* errors_;
  std::vector<std::string>* warnings_;
};

}  // namespace

Config BuildConfig(const ParsedFlags& flags, const GetEnv& getenv, const BuildOptions& options,
                   std::vector<std::string>* errors, std::vector<std::string>* warnings) {
  return ConfigBuilder(flags, getenv, errors, warnings).Build(options);
}

}  // namespace hs::config
