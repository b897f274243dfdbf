// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/fs.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hs {

namespace {
int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }
}  // namespace

bool RemoveTree(const std::string& path) {
  if (path.empty() || path == "/") return false;
  return ::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

Result<std::string> MakeTempDir(const std::string& prefix) {
  std::string dir = TempPath(prefix + "-XXXXXX");
  if (::mkdtemp(dir.data()) == nullptr) {
    return Fail(ErrorCode::kIo, fmt::format("cannot create a temporary directory {}: {}", dir,
                                            std::strerror(errno)));
  }
  return dir;
}

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  return fmt::format("{}/{}", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", name);
}

}  // namespace hs
