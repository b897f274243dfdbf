# OCI container image for hls-swarm
#
# Build: nix build .#swarm-client-container
# Load:  docker load < ./result
# Run:   docker run --rm -e STREAM_URL=http://origin:8080/stream.m3u8 hls-swarm
#
{ pkgs, lib, config, swarmBinary }:

let
  entrypoint = pkgs.writeShellApplication {
    name = "hls-swarm-entrypoint";
    runtimeInputs = [ swarmBinary pkgs.ffmpeg-full pkgs.coreutils ];
    text = ''
      # Plain CLI mode: arguments given to the container go straight to hls-swarm.
      if [ $# -gt 0 ]; then
        exec hls-swarm -tui=false "$@"
      fi

      : "''${STREAM_URL:?STREAM_URL environment variable is required}"

      CLIENTS="''${CLIENTS:-${toString config.clients}}"
      RAMP_RATE="''${RAMP_RATE:-${toString config.rampRate}}"
      METRICS_PORT="''${METRICS_PORT:-${toString config.metricsPort}}"
      LOG_LEVEL="''${LOG_LEVEL:-${config.logLevel}}"
      VARIANT="''${VARIANT:-${config.variant}}"

      echo "╔═══════════════════════════════════════════════════════════════╗"
      echo "║                   hls-swarm (container)                       ║"
      echo "╚═══════════════════════════════════════════════════════════════╝"
      echo ""
      echo "Profile:     ${config._profile.name}"
      echo "Stream URL:  $STREAM_URL"
      echo "Clients:     $CLIENTS"
      echo "Ramp Rate:   $RAMP_RATE/sec"
      echo "Metrics:     :$METRICS_PORT/metrics"
      echo ""

      echo "Verifying FFmpeg..."
      ffmpeg -version | head -1
      echo ""

      # EXTRA_ARGS is split on whitespace into separate arguments.
      read -r -a extra <<< "''${EXTRA_ARGS:-}"

      exec hls-swarm \
        -tui=false \
        -profile ${config._profile.name} \
        -clients "$CLIENTS" \
        -ramp-rate "$RAMP_RATE" \
        -metrics-port "$METRICS_PORT" \
        -log-level "$LOG_LEVEL" \
        -variant "$VARIANT" \
        "''${extra[@]}" \
        "$STREAM_URL"
    '';
  };

in pkgs.dockerTools.buildLayeredImage {
  name = "hls-swarm";
  tag = "latest";

  contents = [
    pkgs.ffmpeg-full
    swarmBinary
    entrypoint
    pkgs.busybox
    pkgs.cacert
  ];

  config = {
    Entrypoint = [ "${entrypoint}/bin/hls-swarm-entrypoint" ];
    User = "65534:65534";

    ExposedPorts = {
      "${toString config.metricsPort}/tcp" = {};
    };

    Env = [
      "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
      "CLIENTS=${toString config.clients}"
      "RAMP_RATE=${toString config.rampRate}"
      "METRICS_PORT=${toString config.metricsPort}"
      "LOG_LEVEL=${config.logLevel}"
      "VARIANT=${config.variant}"
    ];

    Labels = {
      "org.opencontainers.image.title" = "hls-swarm";
      "org.opencontainers.image.description" = "HLS load testing: every simulated viewer is a real FFmpeg";
      "org.opencontainers.image.version" = "0.1.0";
    };
  };

  fakeRootCommands = ''
    mkdir -p /tmp
    chmod 1777 /tmp
  '';
}
