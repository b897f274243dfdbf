# Local development runner: runs hls-swarm with a profile on this machine.
#
# Build: nix build .#swarm-client-runner-<profile>
# Run:   ./result/bin/hls-swarm-<profile> http://origin:8080/stream.m3u8 [extra flags]
#        (or STREAM_URL=... ./result/bin/hls-swarm-<profile>)
#
{ pkgs, lib, config, swarmBinary }:

pkgs.writeShellApplication {
  name = "hls-swarm-${config._profile.name}";
  runtimeInputs = [ swarmBinary pkgs.ffmpeg-full ];
  text = ''
    url="''${1:-''${STREAM_URL:-}}"
    if [ -z "$url" ]; then
      echo "usage: hls-swarm-${config._profile.name} STREAM_URL [flags]  (or set STREAM_URL)" >&2
      exit 2
    fi
    [ $# -gt 0 ] && shift
    echo "hls-swarm runner: profile ${config._profile.name}, ${toString config.clients} clients," \
         "full load after ${toString config.derived.rampDuration} s," \
         "about ${toString config.derived.estimatedMemoryMB} MB," \
         "fd limit ${toString config.derived.recommendedFdLimit}"
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt ${toString config.derived.recommendedFdLimit} ]; then
      ulimit -n ${toString config.derived.recommendedFdLimit} 2>/dev/null \
        || echo "warning: could not raise the fd limit to ${toString config.derived.recommendedFdLimit}" >&2
    fi
    exec hls-swarm -profile ${config._profile.name} "$@" "$url"
  '';
}
