#!/usr/bin/env bash
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#
# Runs the bundled live test origin (FFmpeg generator + nginx) without a load test:
#
#   scripts/origin/run-origin.sh -profile abr -port 8080
#
# This is a thin wrapper: it brings the build up to date and execs `hls-swarm origin "$@"`,
# which renders nginx.conf and the generator command (src/origin/) and supervises both
# children. Every argument is passed through; see `hls-swarm origin -help`. Profiles:
# default, low-latency, abr, stress, tiny. Stop it with Ctrl-C (SIGINT) or SIGTERM; nginx
# and FFmpeg stop with it.
#
# Environment:
#   HLS_SWARM_BIN        use this hls-swarm binary and skip building
#   HLS_SWARM_BUILD_DIR  build directory (default: <repo>/build)
#   HLS_SWARM_NO_BUILD=1 do not run cmake/ninja; use the binary as it is
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${HLS_SWARM_BUILD_DIR:-$repo/build}
bin=${HLS_SWARM_BIN:-}

die() {
  echo "run-origin: $*" >&2
  exit 1
}

if [[ -z $bin ]]; then
  bin=$build_dir/hls-swarm
  if [[ ${HLS_SWARM_NO_BUILD:-0} != 1 ]]; then
    command -v cmake >/dev/null || die "cmake not found (apt-get install cmake ninja-build)"
    command -v ninja >/dev/null || die "ninja not found (apt-get install ninja-build)"
    if [[ ! -f $build_dir/build.ninja ]]; then
      cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
    fi
    # Incremental: a no-op when the binary is up to date.
    ninja -C "$build_dir" hls-swarm >&2
  fi
fi
[[ -x $bin ]] || die "$bin is missing; build it or set HLS_SWARM_BIN"
command -v ffmpeg >/dev/null || die "ffmpeg not found (apt-get install ffmpeg)"
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx not found (apt-get install nginx)"

exec "$bin" origin "$@"
