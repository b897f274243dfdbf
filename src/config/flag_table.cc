// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/flag_table.h"

#include <algorithm>
#include <string>

namespace hs::config {

namespace {

using K = FlagKind;
using T = Topic;

std::vector<FlagSpec> MakeMainFlags() {
  return {
      // Load shape.
      {"profile", "", K::kValue, T::kLoadShape, "NAME", "default",
       "Preset for the values marked (profile): default, stress, gentle, burst, extreme. "
       "Explicit flags and environment variables override it."},
      {"clients", "", K::kValue, T::kLoadShape, "N", "50 (profile)",
       "Concurrent viewers, one FFmpeg each, ids 0..N-1 (at most 100000 per instance). "
       "Each costs about 12 MB private memory, 3 TCP connections and 15 file descriptors."},
      {"ramp-rate", "", K::kValue, T::kLoadShape, "N", "5 (profile)",
       "Viewers started per second; full load is reached after clients/ramp-rate seconds."},
      {"ramp-jitter", "", K::kValue, T::kLoadShape, "MS|DURATION", "100 (profile)",
       "Extra random delay added to each start: a number of milliseconds or a duration (200ms)."},
      {"duration", "", K::kValue, T::kLoadShape, "DURATION", "0",
       "Run time in Go syntax (30s, 5m, 1h30m), counted from the start; 0 runs until Ctrl-C "
       "or SIGTERM."},
      {"shard", "", K::kValue, T::kLoadShape, "I/N", "0/1",
       "This instance is shard I of N: its viewers get ids I*clients .. (I+1)*clients-1, so "
       "user agents stay unique across machines."},
      {"engine", "", K::kValue, T::kLoadShape, "ffmpeg|native", "ffmpeg",
       "What a viewer is. ffmpeg: a real FFmpeg process (~12 MB each, ~1,500 per machine; "
       "FFmpeg's own demuxer as the client). native: a player state machine inside hls-swarm "
       "that requests what hls.js requests (one rendition, init and keys once, live start 3 "
       "target durations from the end, RFC 8216 reload timing, a playout buffer), measures every "
       "request itself on http and https, and costs kilobytes: thousands per machine."},
      {"engine-mix", "", K::kValue, T::kLoadShape, "E:PCT,...", "",
       "A mixed audience: shares of the viewers per engine, e.g. native:90,ffmpeg:10 (percents "
       "sum to 100), spread over the viewer ids (within each stream), both engines on one "
       "loop. One-engine flags (-cmcd, -variant-mix; -tap, -reconnect) apply to that engine's "
       "viewers. Not with -engine."},
      {"vod-end", "", K::kValue, T::kLoadShape, "restart|stop", "restart",
       "At the end of a VOD the play counts as completed (both engines); restart plays it again "
       "(native: after a short pause; FFmpeg: a new process, not counted as a restart), stop "
       "ends the viewer."},
      {"pace", "", K::kBool, T::kLoadShape, "", "true",
       "Fetch segments in real time as a player does (native: playout pacing; FFmpeg on a VOD: "
       "-readrate 1, plus -readrate_initial_burst on 6.1+); -pace=false fetches them back to "
       "back as fast as the network allows (a throughput stress test, not a viewer)."},
      {"low-latency", "", K::kBool, T::kLoadShape, "", "true",
       "Native viewers play a Low-Latency HLS stream (EXT-X-PART-INF, CAN-BLOCK-RELOAD) as "
       "hls.js lowLatencyMode: parts from PART-HOLD-BACK, preload hints, blocking playlist "
       "reloads with delta updates. -low-latency=false plays it as classic HLS (whole "
       "segments, timed reloads). FFmpeg viewers always play whole segments."},
      {"stages", "", K::kValue, T::kLoadShape, "D:N,D:N,...", "",
       "Load shape: stages of DURATION:TARGET, the target moving linearly from the previous "
       "stage's (0 at the start), e.g. 2m:500,10m:500,20s:2000,5m:2000,1m:0 (ramp, hold, join "
       "storm, hold, ramp down). Sets -clients to the largest target and -duration to the "
       "plan's length (unless given); -clients/-ramp-rate are the one-stage case. The control "
       "API and dashboard keys can still change the target, which ends the plan."},
      {"seed", "", K::kValue, T::kLoadShape, "N", "0",
       "Seed for ramp and backoff jitter, for repeatable runs; 0 picks a random seed."},
      // Stream selection.
      {"streams", "", K::kValue, T::kStream, "FILE", "",
       "Several streams in one run: a file with one stream URL and optional weight per line "
       "(URL [WEIGHT], # comments), at most 16; instead of URL arguments (several URLs may "
       "also be given as arguments, or in STREAMS). Viewers are spread by weight (smooth "
       "weighted round robin over the viewer ids: 40 viewers at 3,1 are 30 and 10)."},
      {"weights", "", K::kValue, T::kStream, "W,W,...", "1 each",
       "Weights of the streams, in order, one per stream (whole numbers 1-1000), e.g. 3,1; "
       "override the weights of a -streams file."},
      {"variant", "", K::kValue, T::kStream, "WHICH", "all (profile)",
       "Renditions each viewer downloads: all, first, highest or lowest (by bandwidth). FFmpeg "
       "picks highest/lowest with an ffprobe (through the tap; its requests are counted as the "
       "probe's, like the preflight's, not a viewer's); native viewers choose from the master "
       "playlist and play one rendition (all = first, as a player starts); abr (native only) "
       "adapts "
       "as hls.js does: throughput estimate (EWMAs, half-lives 3 s and 9 s), down when the "
       "rendition needs more than 0.95 of it, up below 0.7, switching at segment boundaries."},
      {"variant-mix", "", K::kValue, T::kStream, "V:PCT,...", "",
       "Native engine: give shares of the viewers fixed variants, e.g. highest:60,lowest:40 "
       "(first, highest, lowest or abr; percents sum to 100), assigned by viewer id."},
      {"header", "", K::kList, T::kStream, "'NAME: VALUE'", "",
       "Extra request header; repeat for more. CR and LF are rejected."},
      {"no-cache", "", K::kBool, T::kStream, "", "false",
       "Send Cache-Control: no-cache, no-store, must-revalidate and Pragma: no-cache, to reach "
       "the origin through a CDN."},
      {"user-agent", "", K::kValue, T::kStream, "UA", "hls-swarm/<version>",
       "Base User-Agent; viewer i sends UA/client-i, so origin logs can tell viewers apart."},
      {"cmcd", "", K::kValue, T::kStream, "off|query|header", "off",
       "Native engine: send CTA-5004 CMCD with every request, as a CMCD= query parameter or "
       "as CMCD-Request/-Object/-Status/-Session headers: session id per viewer (sid), object "
       "type, rendition and top bitrate, duration, buffer length, measured throughput, startup "
       "and buffer starvation, so a CDN's logs can be joined with the run."},
      {"cmcd-cid", "", K::kValue, T::kStream, "ID", "",
       "CMCD content id (cid) sent with -cmcd; at most 64 characters."},
      // Network.
      {"timeout", "", K::kValue, T::kNetwork, "SECONDS|DURATION", "15 (profile)",
       "Network read/write timeout of each request (FFmpeg -rw_timeout)."},
      {"reconnect", "", K::kBool, T::kNetwork, "", "true (profile)",
       "FFmpeg engine only: pass FFmpeg's reconnect options; clear with -reconnect=false."},
      {"reconnect-delay-max", "", K::kValue, T::kNetwork, "SECONDS", "5 (profile)",
       "FFmpeg -reconnect_delay_max, and the cap of the restart backoff of a viewer that exits "
       "(5 s if 0)."},
      {"seg-max-retry", "", K::kValue, T::kNetwork, "N", "3 (profile)",
       "FFmpeg engine only: segment retries (FFmpeg -seg_max_retry, used only where the FFmpeg "
       "build has it). Native viewers retry as hls.js does."},
      {"resolve", "", K::kValue, T::kNetwork, "IP", "",
       "Connect to this IPv4/IPv6 address instead of resolving the URL host; the Host header "
       "keeps the URL host. Needs -dangerous."},
      {"dangerous", "", K::kBool, T::kNetwork, "", "false",
       "Allow -resolve, and with it turn off TLS certificate verification."},
      // Measurement & output.
      {"tap", "", K::kBool, T::kOutput, "", "true",
       "Route traffic through the built-in measuring proxy: exact per-request bytes, TTFB and "
       "download times, http:// and https:// alike (https: the tap terminates TLS with a CA "
       "made for the run and verifies the origin itself, unless -dangerous). "
       "-tap=false goes direct. FFmpeg engine only: native viewers measure every request "
       "themselves, https included."},
      {"origin-exporters", "", K::kBool, T::kModes, "", "false",
       "With -test-origin: also start node_exporter and nginx-prometheus-exporter beside it and "
       "scrape them (as -origin-metrics would)."},
      {"origin-metrics", "", K::kList, T::kOutput, "URL", "",
       "Prometheus text endpoint of the origin to show beside the load (node_exporter, "
       "nginx-prometheus-exporter); repeatable. Exported as hlsswarm_origin_*; scrape failures "
       "are shown, never fatal."},
      {"api", "", K::kBool, T::kOutput, "", "true",
       "Control API on the metrics port: POST /api/clients?target=N changes the viewer count, "
       "GET /api/status returns the report as JSON. Anyone who reaches the port can change the "
       "load: keep it on a trusted network, bind -metrics 127.0.0.1:PORT, or -api=false."},
      {"tui", "", K::kBool, T::kOutput, "", "true on a terminal",
       "Live dashboard; -tui=false prints a one-line status periodically instead."},
      {"metrics-port", "", K::kValue, T::kOutput, "PORT", "9090 (profile)",
       "Prometheus port for /metrics, /healthz and /readyz; 0 turns the server off."},
      {"metrics", "", K::kValue, T::kOutput, "ADDR:PORT", "0.0.0.0:9090",
       "Metrics bind address and port together (127.0.0.1:9100, [::1]:9100, :9100)."},
      {"log-level", "", K::kValue, T::kOutput, "LEVEL", "info (profile)",
       "hls-swarm's own log: debug, info, warning or error. FFmpeg always logs at info: the "
       "measurement reads its per-request lines."},
      {"log-format", "", K::kValue, T::kOutput, "FORMAT", "text",
       "text, or json for one JSON object per line."},
      {"summary-json", "", K::kValue, T::kOutput, "FILE", "",
       "Also write the end-of-run report as JSON to FILE."},
      {"threshold", "", K::kList, T::kOutput, "EXPR", "",
       "Pass/fail gate over the report's figures, repeatable: FIGURE<LIMIT, e.g. "
       "segment_ttfb_p99<500ms, errors_rate<1%, rebuffer_ratio<0.5%, startup_p90<3s, "
       "live_latency_p50<8s, active_ratio>99%; operators < <= > >=. Add :abort to stop the run "
       "as soon as it is breached (checked each second after -threshold-grace). Any breached "
       "threshold makes hls-swarm exit 3; a figure with no data counts as breached."},
      {"threshold-grace", "", K::kValue, T::kOutput, "DURATION", "30s",
       "Time from the start before :abort thresholds are checked (ramp-up and startup)."},
      {"junit", "", K::kValue, T::kOutput, "FILE", "",
       "Write the thresholds as JUnit XML (one test case each) to FILE, for CI systems."},
      {"tap-log", "", K::kValue, T::kOutput, "FILE", "",
       "Write one JSON line per measured request (viewer, kind, status, bytes, TTFB, download "
       "time; the tap's or the native engine's) to FILE, to join with the origin's access log."},
      // Modes.
      {"test-origin", "", K::kBool, T::kModes, "", "false",
       "Start the bundled FFmpeg+nginx test origin on loopback; it is used when no URL is given."},
      {"test-origin-profile", "", K::kValue, T::kModes, "NAME", "default",
       "Origin profile for -test-origin: default, low-latency, abr, stress, tiny, "
       "ll-hls, ll-hls-abr (LL-HLS, served by our own origin)."},
      {"check", "", K::kBool, T::kModes, "", "false",
       "Run one viewer for 10 s with verbose diagnostics and say whether the stream is healthy."},
      {"print-cmd", "", K::kBool, T::kModes, "", "false",
       "Print the exact FFmpeg command of viewer 0 and exit (FFmpeg engine only)."},
      {"print-config", "", K::kBool, T::kModes, "", "false",
       "Print the effective configuration with derived memory, fd and port needs, and exit."},
      {"json", "", K::kBool, T::kModes, "", "false", "With -print-config: print JSON."},
      {"ffmpeg", "", K::kValue, T::kModes, "PATH", "ffmpeg",
       "FFmpeg binary to run; ffprobe is looked up beside it."},
      {"version", "", K::kBool, T::kModes, "", "", "Print the version and FFmpeg's, and exit."},
      {"help", "h", K::kBool, T::kModes, "", "", "Print this help and exit."},
  };
}

std::vector<FlagSpec> MakeOriginFlags() {
  return {
      {"profile", "", K::kValue, T::kModes, "NAME", "default",
       "default (720p, 2 s segments), low-latency (1 s), abr (several renditions), stress, tiny "
       "(low bitrate, for scale tests on small machines); ll-hls, ll-hls-abr (Low-Latency HLS: "
       "fMP4 parts served by our own HTTP server instead of nginx)."},
      {"port", "", K::kValue, T::kModes, "PORT", "8080", "HTTP port nginx listens on."},
      {"addr", "", K::kValue, T::kModes, "ADDR", "127.0.0.1", "Address nginx listens on."},
      {"dir", "", K::kValue, T::kModes, "DIR", "a new temporary directory",
       "Working directory for segments, nginx config and the access log."},
      {"exporters", "", K::kBool, T::kModes, "", "false",
       "Also run prometheus-node-exporter and prometheus-nginx-exporter on loopback and print "
       "their URLs (for -origin-metrics)."},
      {"help", "h", K::kBool, T::kModes, "", "", "Print this help and exit."},
  };
}

std::vector<FlagSpec> MakeTuneFlags() {
  return {
      {"print", "", K::kBool, T::kModes, "", "true",
       "Print current vs recommended kernel settings and limits, with the commands to fix them."},
      {"apply", "", K::kBool, T::kModes, "", "false",
       "Apply the recommended kernel settings (needs root); unknown keys are skipped."},
      {"help", "h", K::kBool, T::kModes, "", "", "Print this help and exit."},
  };
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<FlagSpec>& MainFlags() {
  static const std::vector<FlagSpec> kFlags = MakeMainFlags();
  return kFlags;
}

const std::vector<FlagSpec>& OriginFlags() {
  static const std::vector<FlagSpec> kFlags = MakeOriginFlags();
  return kFlags;
}

const std::vector<FlagSpec>& TuneFlags() {
  static const std::vector<FlagSpec> kFlags = MakeTuneFlags();
  return kFlags;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& table, std::string_view name) {
  for (const FlagSpec& f : table) {
    if (f.name == name || (!f.alias.empty() && f.alias == name)) return &f;
  }
  return nullptr;
}

const FlagSpec* SuggestFlag(const std::vector<FlagSpec>& table, std::string_view name) {
  const FlagSpec* best = nullptr;
  std::size_t best_distance = 3;
  for (const FlagSpec& f : table) {
    if (name.size() >= 3 && f.name.substr(0, name.size()) == name) return &f;
    const std::size_t d = EditDistance(name, f.name);
    if (d < best_distance) {
      best = &f;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace hs::config
