// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "measure/request.h"

namespace hs::measure {

const char* ToString(CacheStatus status) {
  switch (status) {
    case CacheStatus::kNone:
      return "none";
    case CacheStatus::kHit:
      return "hit";
    case CacheStatus::kMiss:
      return "miss";
    case CacheStatus::kOther:
      return "other";
  }
  return "none";
}

const char* ToString(RequestError error) {
  switch (error) {
    case RequestError::kNone:
      return "none";
    case RequestError::kConnectRefused:
      return "connect_refused";
    case RequestError::kConnectTimeout:
      return "connect_timeout";
    case RequestError::kResolve:
      return "resolve";
    case RequestError::kTimeout:
      return "timeout";
    case RequestError::kReset:
      return "reset";
    case RequestError::kTruncated:
      return "truncated";
    case RequestError::kClientAborted:
      return "client_aborted";
    case RequestError::kBadResponse:
      return "bad_response";
    case RequestError::kTls:
      return "tls";
  }
  return "none";
}

}  // namespace hs::measure
