// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/capabilities.h"

#include <charconv>
#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include "core/run_command.h"

namespace hs::ffmpeg {

namespace {

// Option lists print each option as "  -name   <type> ..."; match the name as a whole word.
bool HasOption(std::string_view help, std::string_view name) {
  std::string needle = fmt::format("-{} ", name);
  size_t pos = 0;
  while ((pos = help.find(needle, pos)) != std::string_view::npos) {
    if (pos == 0 || help[pos - 1] == ' ' || help[pos - 1] == '\n') return true;
    ++pos;
  }
  return false;
}

// The "(default N)" of option \a name's line in an option list: N != 0 (false if absent).
bool DefaultIsOn(std::string_view help, std::string_view name) {
  const std::string needle = fmt::format("-{} ", name);
  for (size_t pos = 0; (pos = help.find(needle, pos)) != std::string_view::npos; ++pos) {
    if (pos != 0 && help[pos - 1] != ' ' && help[pos - 1] != '\n') continue;
    const size_t eol = std::min(help.find('\n', pos), help.size());
    const std::string_view line = help.substr(pos, eol - pos);
    const size_t d = line.find("(default ");
    if (d == std::string_view::npos) return false;
    const std::string_view v = line.substr(d + 9);
    return !(v.starts_with("0)") || v.starts_with("false)"));
  }
  return false;
}

void ParseVersion(std::string_view text, Capabilities& caps) {
  constexpr std::string_view kPrefix = "ffmpeg version ";
  size_t pos = text.find(kPrefix);
  if (pos == std::string_view::npos) return;
  size_t start = pos + kPrefix.size();
  size_t end = text.find_first_of(" \n", start);
  caps.version = std::string(text.substr(start, end - start));
  std::string_view v = caps.version;
  if (!v.empty() && v[0] == 'n') v.remove_prefix(1);  // git builds: "n6.1.1"
  const char* p = v.data();
  const char* e = v.data() + v.size();
  auto r = std::from_chars(p, e, caps.major);
  if (r.ec == std::errc() && r.ptr < e && *r.ptr == '.') std::from_chars(r.ptr + 1, e, caps.minor);
}

}  // namespace

std::vector<std::string> Capabilities::Missing() const {
  std::vector<std::string> m;
  if (!seg_max_retry) m.push_back("seg_max_retry");
  if (!loglevel_time) m.push_back("loglevel_time");
  if (!stats_period) m.push_back("stats_period");
  if (!progress) m.push_back("progress");
  if (!http_proxy) m.push_back("http_proxy");
  if (!reconnect_on_network_error) m.push_back("reconnect_on_network_error");
  if (!tls_verify) m.push_back("tls_verify");
  if (!rw_timeout) m.push_back("rw_timeout");
  return m;
}

Capabilities ParseCapabilities(const std::string& version_text, const std::string& hls_help,
                               const std::string& http_help, const std::string& full_help,
                               bool loglevel_time_ok) {
  Capabilities caps;
  ParseVersion(version_text, caps);
  caps.seg_max_retry = HasOption(hls_help, "seg_max_retry");
  caps.http_proxy = HasOption(http_help, "http_proxy");
  caps.reconnect_on_network_error = HasOption(http_help, "reconnect_on_network_error");
  caps.stats_period = HasOption(full_help, "stats_period");
  caps.progress = HasOption(full_help, "progress");
  caps.tls_verify = HasOption(full_help, "tls_verify");
  caps.tls_verify_by_default = caps.tls_verify && DefaultIsOn(full_help, "tls_verify");
  caps.ca_file = HasOption(full_help, "ca_file");
  caps.rw_timeout = HasOption(full_help, "rw_timeout");
  caps.re = HasOption(full_help, "re");
  caps.readrate = HasOption(full_help, "readrate");
  caps.readrate_initial_burst = HasOption(full_help, "readrate_initial_burst");
  caps.loglevel_time = loglevel_time_ok;
  // repeat+level exist since FFmpeg 4.x; every build we can run has them.
  caps.loglevel_level = caps.major >= 4;
  return caps;
}

Capabilities Ffmpeg51Capabilities() {
  Capabilities c;
  c.path = "ffmpeg";
  c.version = "5.1";
  c.major = 5;
  c.minor = 1;
  c.loglevel_level = c.stats_period = c.progress = c.http_proxy = true;
  c.reconnect_on_network_error = c.tls_verify = c.rw_timeout = c.ca_file = true;
  c.re = c.readrate = true;
  c.ffprobe_path = "ffprobe";
  return c;
}

Capabilities Ffmpeg61Capabilities() {
  Capabilities c = Ffmpeg51Capabilities();
  c.version = "6.1";
  c.major = 6;
  c.minor = 1;
  c.seg_max_retry = true;
  c.loglevel_time = true;
  c.readrate_initial_burst = true;
  return c;
}

Result<Capabilities> ProbeFfmpeg(const std::string& ffmpeg_path) {
  using std::chrono::milliseconds;
  std::string path = FindInPath(ffmpeg_path);
  if (path.empty()) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("FFmpeg not found: '{}' is not an executable in PATH (install it: "
                            "apt-get install ffmpeg, or pass -ffmpeg /path/to/ffmpeg)",
                            ffmpeg_path));
  }
  auto run = [&](std::vector<std::string> args) -> Result<CommandOutput> {
    args.insert(args.begin(), {path, "-hide_banner"});
    return RunCommand(args, milliseconds(10000));
  };
  auto version = run({"-version"});
  if (!version) return tl::unexpected(version.error());
  if (version->exit_code != 0 || version->output.find("ffmpeg version") == std::string::npos) {
    return Fail(
        ErrorCode::kUnsupported,
        fmt::format("'{}' does not look like FFmpeg (`-version` printed no version)", path));
  }
  auto hls = run({"-h", "demuxer=hls"});
  auto http = run({"-h", "protocol=http"});
  auto full = run({"-h", "full"});
  auto trial = run({"-loglevel", "+time+info", "-version"});
  Capabilities caps =
      ParseCapabilities(version->output, hls ? hls->output : "", http ? http->output : "",
                        full ? full->output : "", trial && trial->exit_code == 0);
  caps.path = path;
  std::string dir = path.substr(0, path.rfind('/') + 1);
  caps.ffprobe_path = FindInPath(dir + "ffprobe");
  if (caps.ffprobe_path.empty()) caps.ffprobe_path = FindInPath("ffprobe");
  return caps;
}

}  // namespace hs::ffmpeg
