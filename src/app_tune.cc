// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// `hls-swarm tune`: the kernel settings of SPEC §7 for the running kernel.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app.h"
#include "core/io.h"
#include "core/unique_fd.h"
#include "preflight/system_check.h"

namespace hs::app {

namespace {

std::string ProcPath(std::string_view key) {
  std::string p = "/proc/sys/" + std::string(key);
  std::replace(p.begin() + 10, p.end(), '.', '/');
  return p;
}

std::string Trimmed(std::string s) {
  for (char& c : s) {
    if (c == '\t') c = ' ';
  }
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  for (char c : s) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

bool WriteProc(const std::string& path, const std::string& value, std::string* err) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.Valid() || ::write(fd.Get(), value.data(), value.size()) < 0) {
    *err = ::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

int RunTune(const config::TuneOptions& opts, const config::Config& cfg) {
  int differ = 0, applied = 0, failed = 0;
  std::printf("%-40s %-26s %-26s %s\n", "key", "current", "recommended",
              opts.apply ? "action" : "state");
  for (const auto& rec : preflight::RecommendedSysctls()) {
    const std::string path = ProcPath(rec.key);
    if (::access(path.c_str(), F_OK) != 0) {
      std::printf(
          "%-40s %-26s %-26s skipped: no such key here (not in this kernel, or hidden in this "
          "network namespace)\n",
          std::string(rec.key).c_str(), "-", std::string(rec.value).c_str());
      continue;
    }
    const std::string live = Trimmed(ReadSmallFile(path));
    const auto ok = preflight::SysctlSatisfied(rec, live);
    std::string state = ok.value_or(false) ? "ok" : "differs";
    if (!ok.value_or(false)) {
      ++differ;
      if (opts.apply) {
        std::string err;
        if (WriteProc(path, std::string(rec.value), &err)) {
          ++applied;
          state = "applied";
        } else {
          ++failed;
          state = "skipped: " + err + (::geteuid() != 0 ? " (run as root)" : "");
        }
      }
    }
    std::printf("%-40s %-26s %-26s %s\n", std::string(rec.key).c_str(), live.c_str(),
                std::string(rec.value).c_str(), state.c_str());
  }
  auto findings = preflight::CheckSystem(cfg, preflight::ReadSystemFacts());
  for (const auto& f : findings) {
    if (f.what.rfind("open files", 0) == 0 || f.what.rfind("process limit", 0) == 0) {
      std::printf("%s: %s%s%s\n", std::string(preflight::SeverityLabel(f.severity)).c_str(),
                  f.what.c_str(), f.fix.empty() ? "" : "; fix: ", f.fix.c_str());
    }
  }
  if (opts.apply) {
    std::printf(
        "\napplied %d, could not apply %d (settings last until reboot; for a permanent "
        "setup copy deploy/sysctl/99-hls-swarm.conf to /etc/sysctl.d/)\n",
        applied, failed);
    return failed > 0 ? kExitFailure : kExitOk;
  }
  std::printf(
      "\n%d settings differ; `hls-swarm tune --apply` (as root) sets them for the running "
      "kernel\n",
      differ);
  return kExitOk;
}

}  // namespace hs::app
