// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/help.h"

#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/config.h"
#include "config/flag_table.h"

#ifndef HLS_SWARM_VERSION
#define HLS_SWARM_VERSION "0.0.0"
#endif

namespace hs::config {

namespace {

constexpr std::size_t kWidth = 80;
constexpr std::string_view kIndent = "      ";

// Greedy word wrap of \a text into lines starting with \a indent.
std::string Wrap(std::string_view text, std::string_view indent) {
  std::string out;
  std::string line(indent);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = std::string(indent);
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    pos = end + 1;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
}

std::string FlagEntry(const FlagSpec& f) {
  std::string head = fmt::format("  -{}", f.name);
  if (!f.alias.empty()) head += fmt::format(", -{}", f.alias);
  if (!f.metavar.empty()) head += fmt::format(" {}", f.metavar);
  if (!f.default_text.empty()) {
    head = fmt::format("{:<34} default: {}", head, f.default_text);
  }
  return head + "\n" + Wrap(f.help, kIndent);
}

std::string Section(const std::vector<FlagSpec>& table, Topic topic, std::string_view title) {
  std::string out = fmt::format("\n{}:\n", title);
  for (const FlagSpec& f : table) {
    if (f.topic == topic) out += FlagEntry(f);
  }
  return out;
}

std::string ProfileRow(std::string_view name, std::string_view clients, std::string_view rate,
                       std::string_view jitter, std::string_view level, std::string_view variant,
                       std::string_view reconnect, std::string_view retries,
                       std::string_view timeout) {
  return fmt::format("    {:<9}{:>7}{:>6}{:>8}  {:<9}{:<8}{:<10}{:>7}{:>8}\n", name, clients, rate,
                     jitter, level, variant, reconnect, retries, timeout);
}

std::string ProfileTable() {
  std::string out =
      "\n  Profiles (-profile NAME sets these; reconnect shows -reconnect-delay-max):\n";
  out += ProfileRow("", "clients", "ramp", "jitter", "log", "variant", "reconnect", "retries",
                    "timeout");
  for (const ProfileValues& p : Profiles()) {
    out += ProfileRow(p.name, std::to_string(p.clients), fmt::format("{}/s", p.ramp_rate),
                      fmt::format("{}ms", p.ramp_jitter_ms), ToString(p.log_level),
                      ToString(p.variant),
                      p.reconnect ? fmt::format("true,{}s", p.reconnect_delay_max_s) : "false",
                      std::to_string(p.seg_max_retry), fmt::format("{}s", p.timeout_s));
  }
  out += Wrap(
      "Needs grow with -clients: memory about clients*19+64 MB, file descriptors clients*15+1000, "
      "ephemeral ports clients*5, full load after clients/ramp-rate seconds. -print-config shows "
      "them for your settings; `hls-swarm tune` checks the machine.",
      "  ");
  return out;
}

constexpr std::string_view kUsage =
    "hls-swarm " HLS_SWARM_VERSION
    " - HLS load tester: every simulated viewer is a real FFmpeg.\n"
    "\n"
    "Usage:\n"
    "  hls-swarm [flags] STREAM_URL      load-test a stream (flags may follow URL)\n"
    "  hls-swarm -test-origin [flags]    load-test the bundled local test origin\n"
    "  hls-swarm origin [origin flags]   only run the test origin (origin -help)\n"
    "  hls-swarm tune [-print | -apply]  check or apply kernel settings and limits\n"
    "\n"
    "Flags are written -name value, -name=value, --name value or --name=value.\n"
    "Booleans are set with -name and cleared with -name=false (\"-name false\" does\n"
    "not work). A repeated flag: the last one wins, except -header, which adds one\n"
    "header each time.\n";

constexpr std::string_view kEnvironment =
    "\nEnvironment (used when the matching flag is not given; empty means unset):\n"
    "  STREAM_URL  CLIENTS  RAMP_RATE  METRICS_PORT  LOG_LEVEL  VARIANT\n"
    "      Same as the URL argument, -clients, -ramp-rate, -metrics-port,\n"
    "      -log-level and -variant. Precedence: explicit flag, then environment\n"
    "      variable, then -profile.\n"
    "  STAGES  THRESHOLDS\n"
    "      -stages, and the -threshold expressions separated by ';'\n"
    "      (THRESHOLDS='segment_ttfb_p99<500ms;errors_rate<1%').\n"
    "  ENGINE_MIX\n"
    "      -engine-mix (ENGINE_MIX=native:90,ffmpeg:10).\n"
    "  STREAMS  WEIGHTS\n"
    "      Several streams, 'URL [WEIGHT]' entries separated by ';' or newlines\n"
    "      (STREAMS='http://a/x.m3u8 3;http://b/y.m3u8 1'), and -weights.\n"
    "  EXTRA_ARGS\n"
    "      More flags, split like a shell does (quotes and backslashes work,\n"
    "      nothing is expanded) and appended after the command-line flags, so\n"
    "      they win over them.\n";

constexpr std::string_view kExitCodes =
    "\nExit codes:\n"
    "  0  normal end: -duration reached, or stopped with Ctrl-C/SIGTERM\n"
    "  1  runtime or preflight failure (FFmpeg missing, port in use, limits too low)\n"
    "  2  usage error: every problem with the flags is listed, nothing is started\n"
    "  3  a -threshold was breached (at the end, or :abort stopped the run early)\n";

constexpr std::string_view kExamples =
    "\nExamples:\n"
    "  hls-swarm -clients 20 http://origin:8080/live/stream.m3u8\n"
    "  hls-swarm -engine native -clients 5000 -ramp-rate 100 https://cdn/x.m3u8\n"
    "  hls-swarm -profile stress -duration 10m -summary-json out.json http://o/x.m3u8\n"
    "  hls-swarm -test-origin -clients 5 -duration 1m   # no origin needed\n"
    "  hls-swarm -check https://cdn.example.com/live/master.m3u8\n"
    "  hls-swarm -engine native -clients 2000 -duration 10m \\\n"
    "    -threshold 'segment_ttfb_p99<500ms' -threshold 'errors_rate<1%:abort' \\\n"
    "    -junit gates.xml https://cdn/x.m3u8   # CI gate: exit 3 if breached\n"
    "  hls-swarm -print-cmd http://o/x.m3u8             # viewer 0's FFmpeg command\n"
    "  hls-swarm -profile extreme -print-config -json   # memory, fd and port needs\n"
    "  hls-swarm -dangerous -resolve 192.168.1.50 -no-cache https://cdn/x.m3u8\n"
    "  hls-swarm -clients 1000 -shard 1/4 http://o/x.m3u8   # viewer ids 1000..1999\n"
    "  CLIENTS=100 EXTRA_ARGS='-header \"X-Run: a b\"' hls-swarm http://o/x.m3u8\n"
    "\nMetrics: http://ADDR:PORT/metrics (Prometheus, names start hlsswarm_),\n"
    "/healthz and /readyz on the same port.\n";

}  // namespace

std::string MainHelpText() {
  const std::vector<FlagSpec>& flags = MainFlags();
  std::string out(kUsage);
  out += Section(flags, Topic::kLoadShape, "Load shape");
  out += ProfileTable();
  out += Section(flags, Topic::kStream, "Stream selection");
  out += Section(flags, Topic::kNetwork, "Network");
  out += Section(flags, Topic::kOutput, "Measurement & output");
  out += Section(flags, Topic::kModes, "Modes");
  out += kEnvironment;
  out += kExitCodes;
  out += kExamples;
  return out;
}

std::string OriginHelpText() {
  std::string out =
      "Usage: hls-swarm origin [flags]\n\n"
      "Runs the bundled test origin in the foreground: an FFmpeg generator (testsrc2\n"
      "+ sine, H.264/AAC) writing a live HLS stream that nginx serves, with /health,\n"
      "/nginx_status and an access log for ground truth. The stream URL is printed\n"
      "at start; stop it with Ctrl-C.\n";
  out += Section(OriginFlags(), Topic::kModes, "Flags");
  out += "\nExample:\n  hls-swarm origin -profile abr -port 8081 -addr 0.0.0.0\n";
  return out;
}

std::string TuneHelpText() {
  std::string out =
      "Usage: hls-swarm tune [-print | -apply]\n\n"
      "Compares the kernel settings and limits a large run needs (file descriptors,\n"
      "ephemeral ports, TCP buffers, tcp_tw_reuse, ...) with this machine's and\n"
      "prints the fix. -apply writes them to /proc/sys (root only); keys missing\n"
      "here are skipped. In a container or network namespace only the net.* keys\n"
      "are its own: fs.* keys written there change the whole host. Flags given\n"
      "before `tune` (e.g. -clients 2000) size the limits.\n";
  out += Section(TuneFlags(), Topic::kModes, "Flags");
  out += "\nExample:\n  hls-swarm -profile extreme tune -print\n";
  return out;
}

}  // namespace hs::config
