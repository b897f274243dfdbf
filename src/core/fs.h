// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

#include "core/result.h"

namespace hs {

/// Deletes \a path and everything below it (like rm -rf); never follows symlinks. Returns
/// false if anything could not be removed.
bool RemoveTree(const std::string& path);

/// Creates a fresh 0700 directory "$TMPDIR/<prefix>-XXXXXX" (/tmp without TMPDIR) and returns
/// its path. Fails (kIo) with the path it tried.
Result<std::string> MakeTempDir(const std::string& prefix);

/// "$TMPDIR/<name>" (/tmp without TMPDIR), for files named by the caller.
std::string TempPath(const std::string& name);

}  // namespace hs
