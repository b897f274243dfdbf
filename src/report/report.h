// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "stats/snapshot.h"

namespace hs::report {

/// The exit report as an aligned text table (what the terminal shows at the end). Pure.
std::string FormatText(const stats::Snapshot& s);

/// The same figures as JSON (`-summary-json FILE`). Pure.
nlohmann::json ToJson(const stats::Snapshot& s);

/// One status line for logs when there is no dashboard (`-tui=false`).
std::string FormatStatusLine(const stats::Snapshot& s);
nlohmann::json StatusJson(const stats::Snapshot& s);

}  // namespace hs::report
