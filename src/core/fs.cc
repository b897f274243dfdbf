// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/fs.h"

#include <ftw.h>
#include <stdio.h>

namespace hs {

namespace {
int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }
}  // namespace

bool RemoveTree(const std::string& path) {
  if (path.empty() || path == "/") return false;
  return ::nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

}  // namespace hs
