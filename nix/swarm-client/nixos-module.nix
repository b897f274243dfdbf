# NixOS module for hls-swarm: a hardened systemd service built from a profile.
#
# Reusable across MicroVMs, NixOS hosts and NixOS tests. Every flag passed here exists in the
# binary (tests/integration/test_nix.py runs the generated ExecStart with -print-config).
# STREAM_URL comes from the environment file /etc/default/hls-swarm (STREAM_URL=http://...).
#
{ config, swarmBinary }:

{ pkgs, lib, ... }:

let
  cfg = config;
  boolFlag = b: if b then "true" else "false";
in
{
  imports = [ ./sysctl.nix ];

  environment.systemPackages = [
    swarmBinary
    pkgs.ffmpeg-full
  ];

  systemd.services.hls-swarm = {
    description = "hls-swarm HLS load tester (${cfg._profile.name} profile)";
    after = [ "network-online.target" ];
    wants = [ "network-online.target" ];
    wantedBy = [ "multi-user.target" ];
    path = [ pkgs.ffmpeg-full ];

    serviceConfig = {
      Type = "simple";

      ExecStart = lib.concatStringsSep " " [
        "${swarmBinary}/bin/hls-swarm"
        "-tui=false"
        "-profile" cfg._profile.name
        "-clients" (toString cfg.clients)
        "-ramp-rate" (toString cfg.rampRate)
        "-ramp-jitter" (toString cfg.rampJitter)
        "-metrics-port" (toString cfg.metricsPort)
        "-log-level" cfg.logLevel
        "-variant" cfg.variant
        "-reconnect=${boolFlag cfg.reconnect}"
        "-reconnect-delay-max" (toString cfg.reconnectDelayMax)
        "-seg-max-retry" (toString cfg.segMaxRetry)
        "-timeout" (toString cfg.timeout)
        "\${STREAM_URL}"
      ];
      EnvironmentFile = "-/etc/default/hls-swarm";

      Restart = "on-failure";
      RestartSec = 5;
      KillSignal = "SIGTERM";
      TimeoutStopSec = 15;

      # Resource limits: recommendedFdLimit = clients * 15 + 1000.
      LimitNOFILE = cfg.derived.recommendedFdLimit;
      LimitNPROC = "infinity";

      # Hardening (same as deploy/systemd/hls-swarm.service).
      DynamicUser = true;
      NoNewPrivileges = true;
      ProtectSystem = "strict";
      ProtectHome = true;
      PrivateTmp = true;
      PrivateMounts = true;
      PrivateDevices = true;
      ProtectKernelTunables = true;
      ProtectKernelModules = true;
      ProtectKernelLogs = true;
      ProtectControlGroups = true;
      ProtectClock = true;
      ProtectHostname = true;
      ProtectProc = "invisible";
      ProcSubset = "pid";
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      LockPersonality = true;
      MemoryDenyWriteExecute = true;
      RemoveIPC = true;
      SystemCallArchitectures = "native";
      SystemCallFilter = [ "@system-service" ];
      CapabilityBoundingSet = "";
      AmbientCapabilities = "";
      RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
      DevicePolicy = "closed";
      UMask = "0077";
    };
  };

  networking.firewall.allowedTCPPorts = [ cfg.metricsPort ];
}
