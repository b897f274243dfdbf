// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

namespace hs {

/// A loopback TCP port nothing listened on a moment ago (bind to port 0, read it, close), for
/// children that need a port on the command line. 0 if none could be had.
int FreeLoopbackPort();

}  // namespace hs
