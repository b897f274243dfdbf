// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/cli.h"

namespace hs::config {

/// All of \a errors on one line each, for assertion messages.
inline std::string Joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const std::string& e : errors) out += e + "\n";
  return out;
}

/// Fixture for ParseCommandLine: a fake environment (env_) and terminal flag (tty_).
struct CliTest : testing::Test {
  CliOutcome Parse(const std::vector<std::string>& args) const {
    return ParseCommandLine(
        args,
        [this](const std::string& name) -> std::optional<std::string> {
          auto it = env_.find(name);
          if (it == env_.end()) return std::nullopt;
          return it->second;
        },
        tty_);
  }

  /// Parses \a args and asserts success.
  Config Ok(const std::vector<std::string>& args) const {
    CliOutcome out = Parse(args);
    EXPECT_TRUE(out.errors.empty()) << Joined(out.errors);
    EXPECT_NE(out.action, Action::kUsageError);
    return out.config;
  }

  std::map<std::string, std::string> env_;
  bool tty_ = false;
};

inline constexpr const char* kUrl = "http://origin:8080/live/stream.m3u8";

}  // namespace hs::config
