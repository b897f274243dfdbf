# MicroVM configuration for hls-swarm (microvm.nix flake)
#
# Build: nix build .#swarm-client-microvm
# Run:   ./result/bin/microvm-run
#
{ pkgs, lib, config, swarmBinary, nixosModule }:

let
  vmConfig = {
    microvm = {
      hypervisor = "qemu";

      # Memory from the profile, plus room for the guest system.
      mem = config.derived.estimatedMemoryMB + 256;  # MB
      vcpu = 2;

      interfaces = [{
        type = "user";
        id = "eth0";
        mac = "02:00:00:00:00:01";
      }];

      # Forward the metrics port to the host.
      forwardPorts = [
        { from = "host"; host.port = config.metricsPort; guest.port = config.metricsPort; }
      ];

      shares = [{
        tag = "logs";
        source = "/tmp/hls-swarm-logs";
        mountPoint = "/var/log/hls-swarm";
      }];
    };
  };

in {
  # NixOS configuration for the VM: the shared module (service + sysctl) plus VM basics.
  nixosConfiguration = { pkgs, lib, ... }: {
    imports = [
      nixosModule
      ./sysctl.nix
      vmConfig
    ];

    system.stateVersion = "24.05";

    networking.hostName = "hls-swarm";
    networking.useDHCP = true;

    environment.systemPackages = [
      swarmBinary
      pkgs.ffmpeg-full
      pkgs.curl
      pkgs.htop
    ];

    # The stream URL for the service; replace or provide /etc/default/hls-swarm.
    environment.etc."default/hls-swarm".text = ''
      STREAM_URL=http://10.0.2.2:8080/stream.m3u8
    '';
  };

  inherit vmConfig;
}
