// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The tap speaks the neutral vocabulary (measure/): these names keep its code short.

#include "measure/request.h"

namespace hs::tap {

using measure::RequestError;
using measure::RequestKind;
using measure::RequestRecord;
using measure::ToString;
using measure::TunnelRecord;
/// Receives the tap's records (see measure::RequestListener).
using TapListener = measure::RequestListener;

}  // namespace hs::tap
