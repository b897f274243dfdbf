// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/variant_probe.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/run_command.h"

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

Result<int> ProbeVariant(const std::string& ffprobe, const std::string& url,
                         const std::string& user_agent, const std::string& headers, bool highest,
                         std::chrono::milliseconds timeout) {
  if (ffprobe.empty())
    return Fail(ErrorCode::kNotFound, "ffprobe not found beside ffmpeg or in PATH");
  std::vector<std::string> argv = {ffprobe, "-v", "error", "-user_agent", user_agent};
  if (!headers.empty()) argv.insert(argv.end(), {"-headers", headers});
  argv.insert(argv.end(), {"-show_programs", "-of", "json", url});
  auto out = RunCommand(argv, timeout);
  if (!out) return tl::unexpected(out.error());
  if (out->timed_out) {
    return Fail(ErrorCode::kNetwork, fmt::format("ffprobe timed out after {} ms", timeout.count()));
  }
  auto programs = ParseProgramsJson(out->output);
  if (!programs) return tl::unexpected(programs.error());
  auto chosen = ChooseProgram(*programs, highest);
  if (!chosen)
    return Fail(ErrorCode::kParse, "no program with a variant_bitrate (not a master playlist?)");
  return *chosen;
}

}  // namespace hs::ffmpeg
