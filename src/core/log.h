// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace hs::log {

enum class Level { kDebug, kInfo, kWarning, kError };

/// Configures the process logger (stderr): level and text or JSON lines. Call once at startup.
void Init(Level level, bool json);
/// Redirects logging to \a path (e.g. while a dashboard owns the terminal). Empty = stderr.
void RedirectToFile(const std::string& path);

void Write(Level level, std::string_view message);

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  if (spdlog::should_log(spdlog::level::debug))
    Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  if (spdlog::should_log(spdlog::level::info))
    Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

/// Writes \a fields (plus "ts" and "level") as one JSON line in JSON mode, or \a text in text
/// mode.
void Structured(Level level, std::string_view text, nlohmann::json fields);

}  // namespace hs::log
