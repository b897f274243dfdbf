// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/resource.h>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace hs::preflight {

/// How bad a finding is. Only kFailure stops the run (exit 1); the others are printed.
enum class Severity {
  kOk,       ///< checked and fine
  kNote,     ///< informational, e.g. a sysctl this kernel does not have
  kWarning,  ///< the run works but may be limited or measure the host instead of the origin
  kFailure,  ///< the run cannot work as configured
};

/// One preflight result: what was observed and, unless kOk/kNote, how to fix it.
struct Finding {
  Severity severity = Severity::kOk;
  std::string what;  ///< one line: the observed value against the recommendation
  std::string fix;   ///< one line: a command or setting that fixes it, or ""
};

/// How a live sysctl value is compared with the recommended one.
enum class SysctlCompare {
  kEqual,           ///< same value (numbers or names such as "cubic")
  kAtLeast,         ///< number >= recommended
  kAtMost,          ///< number <= recommended
  kEnabled,         ///< number != 0 (e.g. tcp_timestamps 1 or 2)
  kBitsSet,         ///< all bits of the recommended mask are set (tcp_fastopen)
  kEachAtLeast,     ///< "min default max" triples, element-wise >= (tcp_rmem)
  kPortRangeWidth,  ///< ip_local_port_range: judged by width against recommended_ports
};

/// One line of the SPEC §7 client sysctl set.
struct SysctlRecommendation {
  std::string_view key;    ///< dotted name, e.g. "net.ipv4.tcp_tw_reuse"
  std::string_view value;  ///< recommended value, fields separated by one space
  SysctlCompare compare;
};

/// The SPEC §7 / design-document sysctl.nix set, in its order. deploy/sysctl/99-hls-swarm.conf
/// and nix/swarm-client/sysctl.nix must carry the same keys and values (a test checks the
/// former). Static storage; thread-safe.
std::span<const SysctlRecommendation> RecommendedSysctls();

/// Where the preflight tells users to find every recommended sysctl at once.
inline constexpr std::string_view kSysctlConfPath = "deploy/sysctl/99-hls-swarm.conf";

/// What the host offers. Plain data so that CheckSystem is a pure, table-testable function.
struct SystemFacts {
  rlim_t nofile_soft = RLIM_INFINITY;  ///< RLIMIT_NOFILE (RLIM_INFINITY = unlimited)
  rlim_t nofile_hard = RLIM_INFINITY;
  rlim_t nproc_soft = RLIM_INFINITY;  ///< RLIMIT_NPROC
  rlim_t nproc_hard = RLIM_INFINITY;
  /// Every RecommendedSysctls() key this kernel has, value with whitespace folded to one space
  /// ("4096 131072 6291456"). A key that is absent was missing (or unreadable).
  std::map<std::string, std::string> sysctls;
};

/// Reads the limits of this process and every RecommendedSysctls() key below \a proc_sys_root
/// ("net.ipv4.tcp_sack" → <root>/net/ipv4/tcp_sack). Startup only; blocking file reads.
SystemFacts ReadSystemFacts(const std::string& proc_sys_root = "/proc/sys");

/// Raises this process's RLIMIT_NOFILE soft limit to min(hard, \a wanted) if it is lower; never
/// lowers it. Returns true when the soft limit is now >= \a wanted. Call before ReadSystemFacts,
/// with Derived::recommended_fd_limit; children inherit the raised limit.
bool RaiseNofileSoftLimit(rlim_t wanted);

/// Open files our own process needs at least: clients*8 + 64. Per viewer we hold the stderr and
/// progress pipe read ends (2) and, through the measurement tap, both sides of each of FFmpeg's
/// up to 3 concurrent HTTP connections (6); the 64 cover epoll, signalfd, timers, the metrics
/// listener and its scrapes, logs and stdio. FFmpeg's own fds count against its own limit.
rlim_t MinimumFdLimit(int clients);
/// Descriptors \a clients native viewers need at least: 1 each (their connection; a second
/// one for alternate audio is recommended, not required) + 64.
rlim_t NativeMinimumFdLimit(int clients);

/// Processes/threads the run needs under RLIMIT_NPROC: clients + 64 (one single-threaded FFmpeg
/// per viewer, measured with -c copy, plus our threads, ffprobe, the test origin and slack).
rlim_t MinimumProcLimit(int clients);

/// Applies the preflight rules (SPEC §5, §7) to \a facts for \a config. Pure; thread-safe.
/// - RLIMIT_NOFILE soft below MinimumFdLimit: failure; below recommended_fd_limit: warning.
/// - RLIMIT_NPROC soft below MinimumProcLimit: failure.
/// - ephemeral port range narrower than recommended_ports: warning.
/// - each other §7 sysctl off its recommendation: warning with `sysctl -w`; missing: note.
///   If any sysctl warned, a final note points to kSysctlConfPath.
/// Every check that passes yields a kOk finding, so -check can list everything.
std::vector<Finding> CheckSystem(const config::Config& config, const SystemFacts& facts);

/// True if any finding is a kFailure.
/// Whether the live value \a live of \a rec's key meets the recommendation; nullopt when the
/// value cannot be compared. ip_local_port_range is met only by the recommended range itself.
std::optional<bool> SysctlSatisfied(const SysctlRecommendation& rec, const std::string& live);

bool AnyFailure(const std::vector<Finding>& findings);

/// "ok", "note", "WARN" or "FAIL".
std::string_view SeverityLabel(Severity severity);

/// Multi-line text: failures first, then warnings, notes and (if \a include_ok) oks, each as
/// "FAIL  what" plus an indented "fix: ..." line, then a "preflight: ..." count line. Pure.
std::string FormatFindings(const std::vector<Finding>& findings, bool include_ok = false);

}  // namespace hs::preflight
