// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hs::origin {

/// Name of the access log format in the rendered config.
inline constexpr std::string_view kAccessLogFormatName = "hlsswarm";

/// The access log line format (nginx log_format syntax). One line per request, written
/// unbuffered as each request completes, nine fields:
///
///   $msec $status $body_bytes_sent $request_time "$http_user_agent" $request_uri
///   $connection $connection_requests $bytes_sent
///
/// e.g. `1763990000.123 206 712345 0.004 "hls-swarm/0.1.0/client-7" /seg_01234.ts 42 17 712601`
///
/// Parsing: split the first four fields on single spaces; the fifth starts with `"` and ends at
/// the next `"` (nginx escapes `"`, `\` and bytes < 0x20 or > 0x7e in it as `\xHH`, so the user
/// agent never holds a raw quote; a missing header logs as `"-"`); the remaining four fields
/// follow, separated by single spaces ($request_uri holds no spaces: nginx 1.22 rejects them).
/// $msec is Unix seconds with millisecond precision, $request_time seconds with millisecond
/// precision, $body_bytes_sent excludes and $bytes_sent includes the response header.
/// $connection is nginx's connection serial number, $connection_requests the position of this
/// request on it (1 = first). /health and /nginx_status are not logged.
inline constexpr std::string_view kAccessLogFormat =
    R"($msec $status $body_bytes_sent $request_time "$http_user_agent" $request_uri )"
    R"($connection $connection_requests $bytes_sent)";

/// Everything RenderNginxConf needs. Paths must be absolute and free of `"`, `\`, `$`, `;`,
/// `{`, `}` and control characters (PrepareOrigin checks this).
struct NginxOptions {
  std::string prefix_dir;                 ///< nginx -p: config, pid, logs and temp dirs live here
  std::string root_dir;                   ///< document root: the generator's output directory
  std::string listen_addr = "127.0.0.1";  ///< IPv4 or IPv6 literal (no brackets)
  int port = 8080;
  int worker_processes = 0;  ///< 0 = "auto" (one per core)
  /// Per worker; an FFmpeg viewer holds about 3 connections, a native one 1 (2 with alternate
  /// audio). 9900 lets one worker alone carry 10,000 native viewers' worth of connections
  /// while worker_rlimit_nofile (2 × this + 64 = 19864) stays under a 20000 hard limit.
  int worker_connections = 9900;
  int segment_seconds = 2;  ///< sets the media playlist cache lifetime
  /// Render `user root root;`. Set it only when the master runs as root (euid 0): nginx would
  /// otherwise run its workers as `nobody`, who cannot read a document root that sits under a
  /// 0700 directory (mkdtemp, $HOME). Without root the directive is omitted and the workers
  /// keep the master's user.
  bool workers_as_root = false;
};

/// The nginx.conf for the test origin: foreground (`daemon off`), pid, lock, logs and every
/// temp path inside \a opts.prefix_dir (nothing under /var or /etc; MIME types inline).
/// Endpoints: the stream files under the root; `/health` → 200 "ok"; `/nginx_status` →
/// stub_status. Cache-Control: `.ts` "public, max-age=60, immutable"; `/master.m3u8`
/// "max-age=5"; other `.m3u8` PlaylistCacheControl(). keepalive_requests 100000 so FFmpeg's
/// persistent connections are never cut; sendfile and tcp_nopush on; open_file_cache off.
/// Pure.
std::string RenderNginxConf(const NginxOptions& opts);

/// Cache-Control of media playlists: "max-age=<segment/2>, stale-while-revalidate=<segment>",
/// with integer division (1 s segments give max-age=0: revalidate every time).
std::string PlaylistCacheControl(int segment_seconds);

/// "addr:port", with IPv6 literals in brackets ("[::1]:8080").
std::string FormatHostPort(std::string_view addr, int port);

/// Paths inside \a prefix_dir that the rendered config uses.
std::string NginxConfPath(std::string_view prefix_dir);
std::string NginxAccessLogPath(std::string_view prefix_dir);
std::string NginxErrorLogPath(std::string_view prefix_dir);
std::string NginxPidPath(std::string_view prefix_dir);
/// Parent of the temp paths (client_body, proxy, ...); must exist before nginx starts, nginx
/// creates the leaves.
std::string NginxTempDir(std::string_view prefix_dir);

/// The command that runs nginx in the foreground with this config:
/// `<nginx> -p <prefix>/ -c <prefix>/nginx.conf -e <prefix>/error.log`. -e redirects the
/// messages nginx logs before it has read the config (1.19.5+); emergencies at startup such as
/// a failed bind() are also printed on stderr. SIGTERM or SIGINT to the master is a fast
/// shutdown that ends the workers too; SIGQUIT is graceful. If the master is SIGKILLed its
/// workers keep running, so kill the process group.
std::vector<std::string> NginxArgv(const std::string& nginx, const NginxOptions& opts);

}  // namespace hs::origin
