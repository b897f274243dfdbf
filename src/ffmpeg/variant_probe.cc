// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/variant_probe.h"

#include <sys/epoll.h>

#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/child_process.h"
#include "core/io.h"

namespace hs::ffmpeg {

Result<std::vector<ProgramInfo>> ParseProgramsJson(const std::string& json_text) {
  // ffprobe may print warnings before the JSON object; start at the first '{'.
  size_t start = json_text.find('{');
  if (start == std::string::npos) return Fail(ErrorCode::kParse, "ffprobe printed no JSON");
  nlohmann::json j = nlohmann::json::parse(json_text.substr(start), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Fail(ErrorCode::kParse, "ffprobe JSON is malformed");
  std::vector<ProgramInfo> out;
  if (!j.contains("programs") || !j["programs"].is_array()) return out;
  for (const auto& p : j["programs"]) {
    ProgramInfo info;
    info.program_id = p.value("program_id", static_cast<int>(out.size()));
    if (p.contains("tags") && p["tags"].contains("variant_bitrate")) {
      const auto& b = p["tags"]["variant_bitrate"];
      info.bitrate = b.is_string() ? std::atoll(b.get<std::string>().c_str()) : b.get<long long>();
    }
    out.push_back(info);
  }
  return out;
}

std::optional<int> ChooseProgram(const std::vector<ProgramInfo>& programs, bool highest) {
  std::optional<int> best;
  long long best_rate = 0;
  for (const auto& p : programs) {
    if (p.bitrate <= 0) continue;
    if (!best || (highest ? p.bitrate > best_rate : p.bitrate < best_rate)) {
      best = p.program_id;
      best_rate = p.bitrate;
    }
  }
  return best;
}

std::vector<std::string> BuildProbeArgv(const ProbeCommand& cmd) {
  std::vector<std::string> argv = {cmd.ffprobe, "-v", "error", "-user_agent", cmd.user_agent};
  if (!cmd.headers.empty()) argv.insert(argv.end(), {"-headers", cmd.headers});
  if (!cmd.http_proxy.empty()) argv.insert(argv.end(), {"-http_proxy", cmd.http_proxy});
  if (!cmd.ca_file.empty()) argv.insert(argv.end(), {"-ca_file", cmd.ca_file});
  argv.insert(argv.end(), {"-show_programs", "-of", "json", cmd.url});
  return argv;
}

namespace {

Result<int> Choose(const std::string& output, bool highest) {
  auto programs = ParseProgramsJson(output);
  if (!programs) return tl::unexpected(programs.error());
  auto chosen = ChooseProgram(*programs, highest);
  if (!chosen)
    return Fail(ErrorCode::kParse, "no program with a variant_bitrate (not a master playlist?)");
  return *chosen;
}

}  // namespace

Result<int> ProbeVariantOnLoop(EventLoop& loop, ChildReaper& reaper, const sigset_t* child_mask,
                               const ProbeCommand& cmd, bool highest,
                               std::chrono::milliseconds timeout) {
  if (cmd.ffprobe.empty())
    return Fail(ErrorCode::kNotFound, "ffprobe not found beside ffmpeg or in PATH");
  SpawnOptions so;
  so.argv = BuildProbeArgv(cmd);
  so.capture_stderr = true;
  so.stdout_to_stderr = true;  // the JSON; ParseProgramsJson skips warnings before it
  so.child_mask = child_mask;
  auto spawned = ChildProcess::Spawn(so);
  if (!spawned) return tl::unexpected(spawned.error());
  std::unique_ptr<ChildProcess> child = std::move(*spawned);
  constexpr std::size_t kMaxOutput = 1 << 20;
  std::string output;
  bool exited = false;
  bool eof = !child->stderr_fd().Valid();
  auto drain = [&] {
    std::array<char, 16384> buf{};
    for (int i = 0; i < 64 && !eof; ++i) {
      IoResult r = ReadSome(child->stderr_fd().Get(), buf.data(), buf.size());
      if (r.status == IoStatus::kRetry) return;
      if (r.status != IoStatus::kOk) {
        eof = true;
        return;
      }
      if (output.size() < kMaxOutput) output.append(buf.data(), r.bytes);
    }
  };
  std::unique_ptr<FileWatch> watch;
  if (!eof) watch = loop.Watch(child->stderr_fd().Get(), EPOLLIN, [&](auto) { drain(); });
  const pid_t pid = child->pid();
  reaper.Register(pid, [&](int st) {
    exited = true;
    ExitStatus ignored;
    child->MarkReaped(st, &ignored);  // later signals are no-ops
  });
  const SteadyTime deadline = loop.clock().Now() + timeout;
  bool timed_out = false;
  // Bounded: the deadline, then a kill and at most 2 s more for the reaper.
  while (!(exited && eof)) {
    const SteadyTime now = loop.clock().Now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      child->Signal(SIGKILL, true);
    }
    if (timed_out && now >= deadline + std::chrono::seconds(2)) break;
    loop.RunOnce(std::chrono::milliseconds(50));
    if (exited) drain();
    if (eof) watch.reset();  // a pipe at EOF stays readable: do not spin on it
  }
  watch.reset();
  reaper.Unregister(pid);
  // A child not reaped here is killed and reaped by ~ChildProcess.
  if (timed_out) {
    return Fail(ErrorCode::kNetwork, fmt::format("ffprobe timed out after {} ms", timeout.count()));
  }
  return Choose(output, highest);
}

}  // namespace hs::ffmpeg
