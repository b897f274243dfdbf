# OCI container image for hls-swarm
#
# Build: nix build .#swarm-client-container
# Load:  docker load < ./result
# Run:   docker run --rm -e STREAM_URL=http://origin:8080/stream.m3u8 hls-swarm
#
{ pkgs, lib, config, swarmBinary }:

let
  # The Debian image's entry point (deploy/oci/entrypoint.sh), so both images take the same
  # configuration: arguments, the variables hls-swarm reads, PROFILE and SHARD_COUNT/SHARD_INDEX.
  entrypoint = pkgs.writeShellApplication {
    name = "hls-swarm-entrypoint";
    runtimeInputs = [ swarmBinary pkgs.ffmpeg-full pkgs.coreutils pkgs.gnused ];
    text = builtins.readFile ../../deploy/oci/entrypoint.sh;
  };

in pkgs.dockerTools.buildLayeredImage {
  name = "hls-swarm";
  tag = "latest";

  contents = [
    pkgs.ffmpeg-full
    swarmBinary
    entrypoint
    pkgs.tini
    pkgs.busybox
    pkgs.cacert
  ];

  config = {
    # tini forwards SIGTERM to hls-swarm and reaps orphans, as in the Debian image.
    Entrypoint = [ "${pkgs.tini}/bin/tini" "--" "${entrypoint}/bin/hls-swarm-entrypoint" ];
    User = "10001:10001";

    ExposedPorts = {
      "${toString config.metricsPort}/tcp" = {};
    };

    Env = [
      "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
      "PROFILE=${config._profile.name}"
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
