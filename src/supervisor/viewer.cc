// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "supervisor/viewer.h"

#include <sys/ioctl.h>

#include <array>

#include "core/io.h"

namespace hs::supervisor {

const char* ToString(ViewerState s) {
  switch (s) {
    case ViewerState::kPending:
      return "pending";
    case ViewerState::kStarting:
      return "starting";
    case ViewerState::kPlaying:
      return "playing";
    case ViewerState::kBackoff:
      return "backoff";
    case ViewerState::kStopping:
      return "stopping";
    case ViewerState::kDone:
      return "done";
  }
  return "unknown";
}

bool Viewer::Drain(UniqueFd& fd, size_t budget, const std::function<void(std::string_view)>& sink) {
  std::array<char, 16384> buf{};
  size_t total = 0;
  while (total < budget) {
    IoResult r = ReadSome(fd.Get(), buf.data(), buf.size());
    if (r.status == IoStatus::kRetry) return true;
    if (r.status != IoStatus::kOk) return false;
    total += r.bytes;
    sink(std::string_view(buf.data(), r.bytes));
  }
  return true;  // budget spent; level-triggered epoll calls us again
}

bool Viewer::PipeFull(const UniqueFd& fd) {
  int queued = 0;
  return ::ioctl(fd.Get(), FIONREAD, &queued) == 0 && queued >= 65536;
}

}  // namespace hs::supervisor
