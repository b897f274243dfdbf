# Evaluates nix/swarm-client/nixos-module.nix against a small stub of lib/pkgs (no nixpkgs here).
# nix-instantiate --eval --strict --json tests/data/nix/module-stub.nix --argstr profile stress
{ profile ? "default", swarmBinary ? "/nix/store/00000000000000000000000000000000-hls-swarm-0.1.0" }:

let
  config = import ../../../nix/swarm-client/config.nix { inherit profile; };
  lib = {
    concatStringsSep = builtins.concatStringsSep;
    optionalString = cond: s: if cond then s else "";
  };
  pkgs = { ffmpeg-full = "/nix/store/00000000000000000000000000000000-ffmpeg-full"; };
  module = import ../../../nix/swarm-client/nixos-module.nix { inherit config swarmBinary; };
  result = module { inherit pkgs lib; config = {}; };
  svc = result.systemd.services.hls-swarm;
in {
  inherit swarmBinary;
  inherit (svc) description wantedBy;
  serviceConfig = svc.serviceConfig;
  sysctl = (import ../../../nix/swarm-client/sysctl.nix { config = {}; inherit pkgs lib; }).boot.kernel.sysctl;
  firewallPorts = result.networking.firewall.allowedTCPPorts;
  imports = map toString result.imports;
}
