// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "measure/viewer.h"

namespace hs::measure {

const char* ToString(EndReason reason) {
  switch (reason) {
    case EndReason::kEndOfStream:
      return "end_of_stream";
    case EndReason::kError:
      return "error";
    case EndReason::kSignal:
      return "signal";
    case EndReason::kStopped:
      return "stopped";
    case EndReason::kKilled:
      return "killed";
    case EndReason::kCompleted:
      return "completed";
  }
  return "error";
}

const char* ToString(RestartCause cause) {
  switch (cause) {
    case RestartCause::kEndOfStream:
      return "end_of_stream";
    case RestartCause::kError:
      return "error";
    case RestartCause::kSignal:
      return "signal";
    case RestartCause::kStall:
      return "stall";
    case RestartCause::kStartupTimeout:
      return "startup_timeout";
    case RestartCause::kStartFailed:
      return "start_failed";
  }
  return "error";
}

}  // namespace hs::measure
