// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app.h"
#include "config/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  hs::config::CliOutcome out =
      hs::config::ParseCommandLine(args, hs::config::ProcessEnv(), ::isatty(STDOUT_FILENO) == 1);
  for (const auto& w : out.warnings) std::fprintf(stderr, "hls-swarm: warning: %s\n", w.c_str());
  switch (out.action) {
    case hs::config::Action::kUsageError:
      for (const auto& e : out.errors) std::fprintf(stderr, "hls-swarm: %s\n", e.c_str());
      if (!out.help_text.empty()) std::fprintf(stderr, "%s\n", out.help_text.c_str());
      return hs::app::kExitUsage;
    case hs::config::Action::kHelp:
      std::fputs(out.help_text.c_str(), stdout);
      return hs::app::kExitOk;
    case hs::config::Action::kVersion:
      return hs::app::PrintVersion(out.config);
    case hs::config::Action::kOrigin:
      return hs::app::RunOrigin(out.origin, out.config);
    case hs::config::Action::kTune:
      return hs::app::RunTune(out.tune, out.config);
    case hs::config::Action::kRun:
      return hs::app::RunLoad(out.config);
  }
  return hs::app::kExitFailure;
}
