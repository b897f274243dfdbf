// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "core/result.h"
#include "core/unique_fd.h"

namespace hs {

/// Outcome of a non-blocking syscall wrapper. EINTR is retried inside; EAGAIN is kRetry.
enum class IoStatus { kOk, kRetry, kEof, kError };

struct IoResult {
  IoStatus status;
  size_t bytes = 0;
  int err = 0;
};

/// Reads at most \a cap bytes from a non-blocking fd.
IoResult ReadSome(int fd, char* buf, size_t cap);
/// Writes at most \a len bytes to a non-blocking fd.
IoResult WriteSome(int fd, const char* buf, size_t len);
/// Sets O_NONBLOCK on \a fd.
bool SetNonBlocking(int fd, bool on = true);

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};
/// pipe2(O_CLOEXEC); both ends blocking unless changed.
Result<Pipe> MakePipe();

/// Reads a whole small file (e.g. under /proc). Empty result on error.
std::string ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace hs
