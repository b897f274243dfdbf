# MicroVM configuration for hls-swarm (microvm.nix flake)
#
# Build: nix build .#swarm-client-microvm
# Run:   ./result/bin/microvm-run
#
# The same machines scripts/build-microvm.sh builds without Nix (Debian): a client VM
# (hls-swarm.service), an origin VM (the bundled test origin: FFmpeg + nginx on :8080), the
# network-impairment unit (tc netem, when `netem` is set, e.g. "delay 50ms 10ms loss 1%") and
# the /tmp/swarm-logs -> /var/log/swarm log share (virtio-9p). The two VMs meet on a private
# QEMU socket network: origin 10.10.0.1, client 10.10.0.2, STREAM_URL=http://origin:8080/...
#
{ pkgs, lib, config, swarmBinary, nixosModule, netem ? "", originProfile ? "tiny" }:

let
  lanPort = { origin = 10001; client = 10002; };
  lanAddress = { origin = "10.10.0.1"; client = "10.10.0.2"; };

  vmConfigFor = role: {
    microvm = {
      hypervisor = "qemu";

      # Memory from the profile, plus room for the guest system.
      mem = config.derived.estimatedMemoryMB + 256;  # MB
      vcpu = 2;

      interfaces = [
        # User networking: only the metrics port forward (restrict=on).
        { type = "user"; id = "eth0"; mac = "02:00:00:00:00:01"; }
      ];

      # Forward the metrics port to the host.
      forwardPorts = lib.optionals (role == "client") [
        { from = "host"; host.port = config.metricsPort; guest.port = config.metricsPort; }
      ];

      # The private network between the two VMs (QEMU -netdev socket, UDP on host loopback).
      qemu.extraArgs = [
        "-netdev" "socket,id=lan,udp=127.0.0.1:${toString (if role == "client" then lanPort.origin else lanPort.client)},localaddr=127.0.0.1:${toString lanPort.${role}}"
        "-device" "virtio-net-device,netdev=lan,mac=02:00:00:00:0a:${if role == "origin" then "01" else "02"}"
      ];

      shares = [{
        proto = "9p";
        tag = "swarmlogs";
        source = "/tmp/swarm-logs";
        mountPoint = "/var/log/swarm";
      }];
    };
  };

  lanModule = role: { lib, ... }: {
    systemd.network.networks."30-lan" = {
      matchConfig.MACAddress = "02:00:00:00:0a:${if role == "origin" then "01" else "02"}";
      address = [ "${lanAddress.${role}}/24" ];
    };
    networking.hosts = {
      "${lanAddress.origin}" = [ "origin" ];
      "${lanAddress.client}" = [ "client" ];
    };
  };

  # The design document's traffic shaping test: netem before hls-swarm, removed when stopped,
  # on eth1, the interface toward the origin VM (eth0 is the user network).
  networkImpairment = { pkgs, lib, ... }: lib.mkIf (netem != "") {
    boot.kernelModules = [ "sch_netem" ];
    systemd.services.network-impairment = {
      description = "Simulate network latency, loss or rate (tc netem)";
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      before = [ "hls-swarm.service" ];
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${pkgs.iproute2}/bin/tc qdisc add dev eth1 root netem ${netem}";
        ExecStop = "${pkgs.iproute2}/bin/tc qdisc del dev eth1 root";
      };
    };
  };

  vmConfig = vmConfigFor "client";

in {
  # NixOS configuration for the client VM: the shared module (service + sysctl) plus VM basics.
  nixosConfiguration = { pkgs, lib, ... }: {
    imports = [
      nixosModule
      ./sysctl.nix
      vmConfig
      (lanModule "client")
      networkImpairment
    ];

    system.stateVersion = "24.05";

    networking.hostName = "hls-swarm";
    networking.useDHCP = true;

    environment.systemPackages = [
      swarmBinary
      pkgs.ffmpeg-full
      pkgs.curl
      pkgs.htop
      pkgs.iproute2
    ];

    # The stream URL for the service; replace or provide /etc/default/hls-swarm. The summary
    # JSON goes to the log share when the service stops.
    environment.etc."default/hls-swarm".text = ''
      STREAM_URL=http://origin:8080/stream.m3u8
      EXTRA_ARGS=-summary-json /var/log/swarm/summary.json
    '';
    systemd.services.hls-swarm.serviceConfig.ReadWritePaths = [ "/var/log/swarm" ];
  };

  # The origin VM: `hls-swarm origin` (FFmpeg's live stream and nginx with /nginx_status).
  originConfiguration = { pkgs, lib, ... }: {
    imports = [ (vmConfigFor "origin") (lanModule "origin") ];

    system.stateVersion = "24.05";
    networking.hostName = "origin";
    networking.useDHCP = true;
    networking.firewall.allowedTCPPorts = [ 8080 ];
    environment.systemPackages = [ swarmBinary pkgs.ffmpeg-full pkgs.nginx pkgs.curl ];

    systemd.services.hls-swarm-origin = {
      description = "hls-swarm test origin (FFmpeg live stream + nginx on :8080)";
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      wantedBy = [ "multi-user.target" ];
      path = [ pkgs.ffmpeg-full pkgs.nginx ];
      serviceConfig = {
        ExecStart = "${swarmBinary}/bin/hls-swarm origin -profile ${originProfile} -addr 0.0.0.0 -port 8080 -dir /run/hls-swarm-origin";
        ExecStopPost = "+${pkgs.coreutils}/bin/cp /run/hls-swarm-origin/access.log /var/log/swarm/access.log";
        RuntimeDirectory = "hls-swarm-origin";
        DynamicUser = true;
        KillMode = "mixed";
      };
    };
  };

  inherit vmConfig;
}
