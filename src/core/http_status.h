// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string_view>

namespace hs {

/// The standard reason phrase of an HTTP status code ("Not Found"), or "" for codes not in
/// the table. The one table: the metrics server, the tap and the preflight all use it. Pure.
std::string_view HttpReasonPhrase(long status);

}  // namespace hs
