# hls-swarm client deployment - entry point
#
# Usage:
#   swarmClient = import ./swarm-client { inherit pkgs lib swarmBinary; };
#   swarmClient = import ./swarm-client { inherit pkgs lib swarmBinary; profile = "stress"; };
#
{ pkgs, lib, swarmBinary, profile ? "default", configOverrides ? {} }:

let
  config = import ./config.nix {
    inherit profile;
    overrides = configOverrides;
  };

  container = import ./container.nix { inherit pkgs lib config swarmBinary; };
  nixosModule = import ./nixos-module.nix { inherit config swarmBinary; };
  microvm = import ./microvm.nix { inherit pkgs lib config swarmBinary nixosModule; };
  runner = import ./runner.nix { inherit pkgs lib config swarmBinary; };

  sysctlModule = ./sysctl.nix;

in {
  inherit config container nixosModule sysctlModule microvm runner;

  ociImage = container;

  availableProfiles = config._profile.availableProfiles;
  currentProfile = config._profile.name;

  derived = config.derived;
}
