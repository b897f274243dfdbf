// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/origin_plan.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "core/unique_fd.h"
#include "origin/generator.h"
#include "origin/nginx_conf.h"

namespace hs::origin {
namespace {

namespace fs = std::filesystem;

// Characters that could end a quoted nginx string, start a variable or a block, or make a
// path ambiguous in the config.
constexpr std::string_view kUnsafePathChars = "\"'\\$;{}";

bool IsSafeConfPath(std::string_view path) {
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || kUnsafePathChars.find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A wildcard listen address is not something a client can connect to; use loopback.
std::string UrlHost(const std::string& addr) {
  if (addr == "0.0.0.0") return "127.0.0.1";
  if (addr == "::") return "::1";
  return addr;
}

Result<void> ValidateListen(const OriginListen& listen) {
  if (listen.port < 1 || listen.port > 65535) {
    return Fail(ErrorCode::kUsage, fmt::format("origin port {} is not in 1..65535", listen.port));
  }
  in6_addr buf{};
  if (inet_pton(AF_INET, listen.addr.c_str(), &buf) != 1 &&
      inet_pton(AF_INET6, listen.addr.c_str(), &buf) != 1) {
    return Fail(ErrorCode::kUsage,
                fmt::format("origin address '{}' is not an IPv4 or IPv6 literal", listen.addr));
  }
  return {};
}

Result<std::string> AbsoluteDir(const std::string& dir) {
  if (dir.empty()) return Fail(ErrorCode::kUsage, "origin directory is empty");
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  if (ec) return Fail(ErrorCode::kIo, fmt::format("origin directory {}: {}", dir, ec.message()));
  std::string out = abs.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (!IsSafeConfPath(out)) {
    return Fail(ErrorCode::kUsage,
                fmt::format("origin directory '{}' holds a character nginx.conf cannot quote "
                            "(\" ' \\ $ ; {{ }} or a control character)",
                            out));
  }
  return out;
}

Result<void> MakeDir(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (!ec) {
    // The generator's files inherit nothing from this, but a 0700 from a strict umask would
    // hide the tree from anyone debugging the origin as another user.
    fs::permissions(path,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
  }
  if (ec) return Fail(ErrorCode::kIo, fmt::format("mkdir {}: {}", path.string(), ec.message()));
  return {};
}

bool IsStreamFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".m3u8" || ext == ".ts" || ext == ".tmp";
}

// Removes stream files in \a dir and, when \a depth > 0, in its subdirectories. Only our own
// file types are touched, so a document root pointed at a populated directory loses nothing
// else.
Result<void> RemoveStreamFiles(const fs::path& dir, int depth) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::error_code type_ec;
    if (entry.is_directory(type_ec) && !entry.is_symlink(type_ec) && depth > 0) {
      if (auto ok = RemoveStreamFiles(entry.path(), depth - 1); !ok) return ok;
    } else if (entry.is_regular_file(type_ec) && IsStreamFile(entry.path())) {
      std::error_code rm_ec;
      fs::remove(entry.path(), rm_ec);
      if (rm_ec) ec = rm_ec;
    }
  }
  if (ec) return Fail(ErrorCode::kIo, fmt::format("clean {}: {}", dir.string(), ec.message()));
  return {};
}

Result<void> WriteFile(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.Valid()) {
    return Fail(ErrorCode::kIo, fmt::format("open {}: {}", path, std::strerror(errno)));
  }
  while (!content.empty()) {
    const ssize_t n = ::write(fd.Get(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrorCode::kIo, fmt::format("write {}: {}", path, std::strerror(errno)));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

NginxOptions MakeNginxOptions(const OriginProfile& profile, const OriginListen& listen,
                              const std::string& dir, bool workers_as_root) {
  NginxOptions opts;
  opts.prefix_dir = dir;
  opts.root_dir = dir + "/hls";
  opts.listen_addr = listen.addr;
  opts.port = listen.port;
  opts.segment_seconds = profile.segment_seconds;
  opts.workers_as_root = workers_as_root;
  return opts;
}

bool IsExecutableFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

OriginPlan PlanOrigin(const OriginProfile& profile, const OriginListen& listen,
                      const std::string& dir, const std::string& ffmpeg_path,
                      const std::string& nginx_path, bool workers_as_root) {
  const NginxOptions opts = MakeNginxOptions(profile, listen, dir, workers_as_root);
  const std::string base =
      fmt::format("http://{}", FormatHostPort(UrlHost(listen.addr), listen.port));
  OriginPlan plan;
  plan.dir = dir;
  plan.hls_dir = opts.root_dir;
  plan.nginx_conf_path = NginxConfPath(dir);
  plan.nginx_argv = NginxArgv(nginx_path, opts);
  plan.generator_argv = GeneratorArgv(profile, ffmpeg_path, opts.root_dir);
  plan.stream_url = base + StreamPath(profile);
  plan.health_url = base + "/health";
  plan.status_url = base + "/nginx_status";
  plan.access_log_path = NginxAccessLogPath(dir);
  plan.error_log_path = NginxErrorLogPath(dir);
  plan.pid_path = NginxPidPath(dir);
  return plan;
}

Result<OriginPlan> PrepareOrigin(const OriginProfile& profile, const OriginListen& listen,
                                 const std::string& dir, const std::string& ffmpeg_path,
                                 const std::string& nginx_path) {
  if (auto ok = ValidateOriginProfile(profile); !ok) return tl::unexpected(ok.error());
  if (auto ok = ValidateListen(listen); !ok) return tl::unexpected(ok.error());
  Result<std::string> abs_dir = AbsoluteDir(dir);
  if (!abs_dir) return tl::unexpected(abs_dir.error());
  const bool as_root = ::geteuid() == 0;
  OriginPlan plan = PlanOrigin(profile, listen, *abs_dir, ffmpeg_path, nginx_path, as_root);
  for (const std::string& sub : {plan.dir, NginxTempDir(plan.dir), plan.hls_dir}) {
    if (auto ok = MakeDir(sub); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = RemoveStreamFiles(plan.hls_dir, 1); !ok) return tl::unexpected(ok.error());
  // Stale lines from an earlier run would break "the access log is ground truth".
  if (auto ok = WriteFile(plan.access_log_path, ""); !ok) return tl::unexpected(ok.error());
  const NginxOptions opts = MakeNginxOptions(profile, listen, plan.dir, as_root);
  if (auto ok = WriteFile(plan.nginx_conf_path, RenderNginxConf(opts)); !ok) {
    return tl::unexpected(ok.error());
  }
  return plan;
}

Result<OriginPlan> PrepareLlhlsOrigin(const OriginProfile& profile, const OriginListen& listen,
                                      const std::string& dir, const std::string& self_exe) {
  if (auto ok = ValidateOriginProfile(profile); !ok) return tl::unexpected(ok.error());
  if (auto ok = ValidateListen(listen); !ok) return tl::unexpected(ok.error());
  Result<std::string> abs_dir = AbsoluteDir(dir);
  if (!abs_dir) return tl::unexpected(abs_dir.error());
  OriginPlan plan;
  plan.dir = *abs_dir;
  plan.hls_dir = plan.dir;
  if (auto ok = MakeDir(plan.dir); !ok) return tl::unexpected(ok.error());
  const std::string base = "http://" + FormatHostPort(listen.addr == "0.0.0.0" ? "127.0.0.1"
                                                      : listen.addr == "::"    ? "::1"
                                                                               : listen.addr,
                                                      listen.port);
  plan.nginx_argv = {self_exe, "origin",    "-profile", profile.name,
                     "-addr",  listen.addr, "-port",    std::to_string(listen.port),
                     "-dir",   plan.dir};
  plan.stream_url = base + (profile.HasMaster() ? "/master.m3u8" : "/stream.m3u8");
  plan.health_url = base + "/health";
  plan.status_url = base + "/nginx_status";
  plan.access_log_path = plan.dir + "/access.log";
  plan.error_log_path = plan.dir + "/error.log";
  plan.pid_path = plan.dir + "/" + std::string(kLlhlsReadyFile);
  ::unlink(plan.pid_path.c_str());
  if (auto ok = WriteFile(plan.access_log_path, ""); !ok) return tl::unexpected(ok.error());
  return plan;
}

Result<std::string> FindNginxIn(std::string_view path_env) {
  std::vector<std::string> dirs;
  while (!path_env.empty()) {
    const std::size_t colon = path_env.find(':');
    std::string_view entry = path_env.substr(0, colon);
    if (!entry.empty()) dirs.emplace_back(entry);
    path_env = colon == std::string_view::npos ? std::string_view() : path_env.substr(colon + 1);
  }
  for (const char* fallback : {"/usr/sbin", "/usr/local/sbin", "/sbin"})
    dirs.emplace_back(fallback);
  for (const std::string& d : dirs) {
    fs::path candidate = fs::path(d) / "nginx";
    if (!IsExecutableFile(candidate)) continue;
    std::error_code ec;
    fs::path abs = fs::absolute(candidate, ec);  // a relative PATH entry must not depend on cwd
    return ec ? candidate.string() : abs.lexically_normal().string();
  }
  return Fail(ErrorCode::kNotFound,
              "nginx not found in PATH, /usr/sbin, /usr/local/sbin or /sbin "
              "(Debian: apt-get install nginx)");
}

Result<std::string> FindNginx() {
  const char* path = std::getenv("PATH");
  return FindNginxIn(path != nullptr ? path : "");
}

}  // namespace hs::origin
