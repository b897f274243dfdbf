// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

namespace hs {

/// Deletes \a path and everything below it (like rm -rf); never follows symlinks. Returns
/// false if anything could not be removed.
bool RemoveTree(const std::string& path);

}  // namespace hs
