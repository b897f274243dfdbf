{
  description = "hls-swarm: HLS load tester where every simulated viewer is a real FFmpeg";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  };

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      profiles = (import ./nix/swarm-client/config.nix { })._profile.availableProfiles;

      # CMake build of hls-swarm; FFmpeg is a runtime input (each viewer is an ffmpeg process).
      mkSwarm = pkgs: pkgs.stdenv.mkDerivation {
        pname = "hls-swarm";
        version = "0.1.0";
        src = ./.;
        nativeBuildInputs = [ pkgs.cmake pkgs.pkg-config pkgs.makeWrapper pkgs.python3 ];
        buildInputs = [
          pkgs.fmt pkgs.spdlog pkgs.tl-expected pkgs.nlohmann_json pkgs.cli11
          pkgs.prometheus-cpp pkgs.curl pkgs.ncurses pkgs.gtest pkgs.zlib pkgs.openssl pkgs.c-ares
        ];
        cmakeFlags = [ "-DCMAKE_BUILD_TYPE=Release" ];
        doCheck = false;  # the integration tests need network namespaces and a live origin
        postInstall = ''
          wrapProgram $out/bin/hls-swarm --prefix PATH : ${pkgs.lib.makeBinPath [ pkgs.ffmpeg-full ]}
        '';
        meta = {
          description = "HLS load tester: every simulated viewer is a real FFmpeg";
          mainProgram = "hls-swarm";
          platforms = pkgs.lib.platforms.linux;
        };
      };

      swarmClientFor = pkgs: profile: import ./nix/swarm-client {
        inherit pkgs profile;
        lib = pkgs.lib;
        swarmBinary = mkSwarm pkgs;
      };
    in
    {
      packages = forAllSystems (system: pkgs:
        let
          swarmBinary = mkSwarm pkgs;
          client = swarmClientFor pkgs "default";
          runners = builtins.listToAttrs (map (p: {
            name = "swarm-client-runner-${p}";
            value = (swarmClientFor pkgs p).runner;
          }) profiles);
        in
        {
          hls-swarm = swarmBinary;
          default = swarmBinary;
          swarm-client-container = client.container;
        } // runners);

      apps = forAllSystems (system: pkgs:
        builtins.listToAttrs (map (p: {
          name = "run-${p}";
          value = {
            type = "app";
            program = "${self.packages.${system}."swarm-client-runner-${p}"}/bin/hls-swarm-${p}";
          };
        }) profiles));

      nixosModules = {
        # The service for the default profile; use lib.swarmClient for another profile.
        swarm-client = { pkgs, lib, ... }@args:
          (swarmClientFor pkgs "default").nixosModule args;
        swarm-client-sysctl = ./nix/swarm-client/sysctl.nix;
      };

      # The MicroVM's NixOS configuration (needs the microvm.nix flake to build a runner).
      microvmConfigurations = forAllSystems (system: pkgs:
        builtins.listToAttrs (map (p: {
          name = "swarm-client-${p}";
          value = (swarmClientFor pkgs p).microvm.nixosConfiguration;
        }) profiles));

      lib = {
        inherit profiles;
        swarmClient = swarmClientFor;
        config = profile: import ./nix/swarm-client/config.nix { inherit profile; };
      };
    };
}
