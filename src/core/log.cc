// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/log.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

namespace hs::log {

namespace {

// The process logger's format (spdlog's default logger is process-wide too). Set by Init()
// before any other thread exists.
struct LogState {
  bool json = false;
  Level level = Level::kInfo;
};
LogState& State() {
  static LogState state;
  return state;
}

spdlog::level::level_enum ToSpd(Level l) {
  switch (l) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

void Install(std::shared_ptr<spdlog::logger> logger, Level level) {
  logger->set_level(ToSpd(level));
  // JSON mode: we build the whole object ourselves so the message is escaped correctly.
  logger->set_pattern(State().json ? "%v" : "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

void Init(Level level, bool json) {
  State().json = json;
  State().level = level;
  Install(spdlog::stderr_logger_st("hls-swarm-stderr"), level);
}

void RedirectToFile(const std::string& path) {
  if (path.empty()) {
    Install(spdlog::stderr_logger_st("hls-swarm-stderr2"), State().level);
  } else {
    Install(spdlog::basic_logger_st("hls-swarm-file", path), State().level);
  }
}

namespace {
std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}
}  // namespace

void Write(Level level, std::string_view message) {
  if (!State().json) {
    spdlog::log(ToSpd(level), "{}", message);
    return;
  }
  nlohmann::json j = {{"ts", Timestamp()}, {"level", Name(level)}, {"msg", std::string(message)}};
  spdlog::log(ToSpd(level), "{}", j.dump());
}

void Structured(Level level, std::string_view text, nlohmann::json fields) {
  if (!State().json) {
    spdlog::log(ToSpd(level), "{}", text);
    return;
  }
  fields["ts"] = Timestamp();
  fields["level"] = Name(level);
  spdlog::log(ToSpd(level), "{}", fields.dump());
}

}  // namespace hs::log
