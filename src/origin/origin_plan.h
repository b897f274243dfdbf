// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "origin/origin_profile.h"

namespace hs::origin {

/// Where nginx listens. 0.0.0.0 / :: listen everywhere; the URLs then use loopback.
struct OriginListen {
  std::string addr = "127.0.0.1";  ///< IPv4 or IPv6 literal, no brackets
  int port = 8080;                 ///< 1..65535 (0 is refused: the URLs must be known)
};

/// What the origin runtime needs to start and watch the two children. A value type.
///
/// Directory layout (all inside \a dir):
///   nginx.conf, nginx.pid, nginx.lock, access.log, error.log, tmp/ (nginx temp paths),
///   hls/ (document root = generator output: see StreamPath for the files in it).
///
/// Start nginx_argv and generator_argv as children (own process group, PR_SET_PDEATHSIG).
/// The stream URL answers 404 until the generator has finished its first segment (about
/// segment_seconds + 1 s after start); poll it, or poll for the playlist file in hls_dir.
struct OriginPlan {
  std::string dir;                          ///< absolute origin directory (nginx -p prefix)
  std::string hls_dir;                      ///< absolute document root, generator output
  std::string nginx_conf_path;              ///< dir/nginx.conf, already written
  std::vector<std::string> nginx_argv;      ///< nginx in the foreground with that config
  std::vector<std::string> generator_argv;  ///< the FFmpeg generator (GeneratorArgv)
  std::string stream_url;                   ///< e.g. http://127.0.0.1:8080/stream.m3u8
  std::string health_url;                   ///< .../health: 200 "ok"
  std::string status_url;                   ///< .../nginx_status: stub_status text
  std::string access_log_path;              ///< dir/access.log (kAccessLogFormat), truncated
  std::string error_log_path;               ///< dir/error.log
  std::string pid_path;                     ///< dir/nginx.pid, written by the nginx master
};

/// The plan for \a profile in the absolute directory \a dir, without touching the file
/// system. \a workers_as_root sets NginxOptions::workers_as_root. Pure.
OriginPlan PlanOrigin(const OriginProfile& profile, const OriginListen& listen,
                      const std::string& dir, const std::string& ffmpeg_path,
                      const std::string& nginx_path, bool workers_as_root);

/// Validates \a profile, \a listen and \a dir (made absolute; characters that would break
/// nginx.conf are refused), creates dir, dir/tmp and dir/hls (0755), removes stale stream
/// files (*.m3u8, *.ts, *.tmp) from hls/ and its rendition subdirectories so that an old
/// playlist is never served, truncates the access log, and writes nginx.conf. Workers run as
/// root exactly when this process has euid 0. Errors: kUsage (bad input), kIo (file system).
/// Not thread-safe with respect to another PrepareOrigin on the same \a dir.
Result<OriginPlan> PrepareOrigin(const OriginProfile& profile, const OriginListen& listen,
                                 const std::string& dir, const std::string& ffmpeg_path,
                                 const std::string& nginx_path);

/// The plan of an LL-HLS profile (OriginProfile::IsLowLatencyHls): one child,
/// `<self_exe> origin -profile NAME -addr A -port P -dir DIR`, our own LL-HLS server that runs
/// its FFmpeg generators itself (kept in nginx_argv; generator_argv stays empty). It writes
/// DIR/origin.pid (pid_path) once every rendition has a complete segment and logs requests to
/// DIR/access.log in kAccessLogFormat. Creates DIR and truncates the access log.
Result<OriginPlan> PrepareLlhlsOrigin(const OriginProfile& profile, const OriginListen& listen,
                                      const std::string& dir, const std::string& self_exe);

/// Name of the ready marker the LL-HLS origin writes in its directory.
inline constexpr std::string_view kLlhlsReadyFile = "origin.pid";

/// The first executable `nginx` in the directories of $PATH, then /usr/sbin, /usr/local/sbin
/// and /sbin (Debian installs it in /usr/sbin, which is not in a normal user's PATH).
/// kNotFound when there is none.
Result<std::string> FindNginx();

/// FindNginx with an explicit PATH value (colon-separated; empty entries are skipped).
Result<std::string> FindNginxIn(std::string_view path_env);

}  // namespace hs::origin
