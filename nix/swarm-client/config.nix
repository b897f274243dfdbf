# Configuration profiles for hls-swarm client deployment (SPEC §2).
#
# Usage:
#   config = import ./config.nix { profile = "default"; };
#   config = import ./config.nix { profile = "stress"; overrides = { clients = 300; }; };
#
# Must agree exactly with `hls-swarm -profile P -print-config -json` (minus its "run" key);
# tests/integration/test_nix.py compares them.
{ profile ? "default", overrides ? {} }:

let
  profiles = {
    default = {
      clients = 50;
      rampRate = 5;             # clients per second
      rampJitter = 100;         # milliseconds
      metricsPort = 9090;
      logLevel = "info";
      variant = "all";
      reconnect = true;
      reconnectDelayMax = 5;
      segMaxRetry = 3;
      timeout = 15;             # seconds
    };

    stress = {
      clients = 200;
      rampRate = 20;
      rampJitter = 50;
      metricsPort = 9090;
      logLevel = "warning";
      variant = "all";
      reconnect = true;
      reconnectDelayMax = 3;
      segMaxRetry = 2;
      timeout = 10;
    };

    gentle = {
      clients = 20;
      rampRate = 1;
      rampJitter = 500;
      metricsPort = 9090;
      logLevel = "info";
      variant = "first";
      reconnect = true;
      reconnectDelayMax = 10;
      segMaxRetry = 5;
      timeout = 30;
    };

    burst = {
      clients = 100;
      rampRate = 50;
      rampJitter = 10;
      metricsPort = 9090;
      logLevel = "warning";
      variant = "all";
      reconnect = false;        # no reconnect for burst testing
      reconnectDelayMax = 0;
      segMaxRetry = 1;
      timeout = 5;
    };

    extreme = {
      clients = 500;
      rampRate = 50;
      rampJitter = 20;
      metricsPort = 9090;
      logLevel = "error";
      variant = "all";
      reconnect = true;
      reconnectDelayMax = 2;
      segMaxRetry = 1;
      timeout = 5;
    };
  };

  base = profiles.${profile} or (throw "Unknown profile: ${profile}");

  cfg = base // overrides;

in cfg // {
  # Derived values (Nix integer maths; the binary computes the same).
  derived = {
    # Seconds until full load.
    rampDuration = cfg.clients / cfg.rampRate;
    # About 12 MB private per FFmpeg viewer measured; the formula keeps headroom.
    estimatedMemoryMB = (cfg.clients * 19) + 64;
    # About 15 descriptors per viewer plus overhead.
    recommendedFdLimit = (cfg.clients * 15) + 1000;
    # Each viewer uses up to a few TCP connections, plus TIME_WAIT headroom.
    recommendedPorts = cfg.clients * 5;
  };

  _profile = {
    name = profile;
    availableProfiles = builtins.attrNames profiles;
  };
}
