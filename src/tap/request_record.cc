// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/request_record.h"

namespace hs::tap {

const char* ToString(RequestKind kind) {
  switch (kind) {
    case RequestKind::kMaster:
      return "master";
    case RequestKind::kMediaPlaylist:
      return "playlist";
    case RequestKind::kSegment:
      return "segment";
    case RequestKind::kInit:
      return "init";
    case RequestKind::kKey:
      return "key";
    case RequestKind::kOther:
      return "other";
  }
  return "other";
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
  }
  return "none";
}

}  // namespace hs::tap
