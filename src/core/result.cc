// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/result.h"

namespace hs {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kNetwork:
      return "network";
    case ErrorCode::kHttp:
      return "http";
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace hs
