#!/bin/sh
# hls-swarm container entry point (run under tini, which forwards SIGTERM and reaps orphans).
#
# Configuration comes from plain arguments (`docker run IMAGE -clients 20 http://o/x.m3u8`)
# or from the environment that hls-swarm itself reads: STREAM_URL, CLIENTS, RAMP_RATE,
# METRICS_PORT, LOG_LEVEL, VARIANT, STAGES, THRESHOLDS, STREAMS, WEIGHTS, ENGINE_MIX and
# EXTRA_ARGS (split like a shell, appended last).
# This script adds only what the binary has no variable for:
#   PROFILE      -profile NAME
#   SHARD_COUNT  -shard I/N, with I from SHARD_INDEX or else the trailing -N of the host name
#   SHARD_INDEX  (a StatefulSet pod is named <set>-<ordinal>)
# Both go before the arguments, so an explicit -profile or -shard argument wins.
set -eu

case "${1:-}" in
  origin | tune | -version | --version | -help | --help | -h)
    exec hls-swarm "$@" ;;
esac

pre=""
if [ -n "${PROFILE:-}" ]; then
  pre="-profile ${PROFILE}"
fi
if [ -n "${SHARD_COUNT:-}" ] && [ "${SHARD_COUNT}" != "1" ]; then
  index="${SHARD_INDEX:-}"
  if [ -z "$index" ]; then
    # shellcheck disable=SC3028 # container runtimes set HOSTNAME; /etc/hostname otherwise
    host="${HOSTNAME:-$(cat /etc/hostname 2>/dev/null || true)}"
    index="${host##*-}"
  fi
  # shellcheck disable=SC3028
  case "$index" in
    '' | *[!0-9]*)
      echo "hls-swarm-entrypoint: SHARD_COUNT=${SHARD_COUNT} but no shard index: set SHARD_INDEX" \
        "or run as a StatefulSet pod named <name>-<ordinal> (host name: ${HOSTNAME:-unknown})" >&2
      exit 2 ;;
  esac
  pre="${pre} -shard ${index}/${SHARD_COUNT}"
fi

echo "╔═══════════════════════════════════════════════════════════════╗"
echo "║                   hls-swarm (container)                       ║"
echo "╚═══════════════════════════════════════════════════════════════╝"
echo "Version:     $(hls-swarm -version 2>/dev/null | sed -n 1p)"
echo "Profile:     ${PROFILE:-default}"
echo "Stream URL:  ${STREAM_URL:-(from arguments)}"
echo "Clients:     ${CLIENTS:-(profile)}"
echo "Ramp rate:   ${RAMP_RATE:-(profile)}/s"
echo "Metrics:     :${METRICS_PORT:-9090}/metrics"
[ -n "${pre}" ] && echo "Adds:        ${pre}"
[ -n "${EXTRA_ARGS:-}" ] && echo "EXTRA_ARGS:  ${EXTRA_ARGS}"
[ "$#" -gt 0 ] && echo "Arguments:   $*"
echo ""
echo "Verifying FFmpeg..."
# sed reads all of its input, so no SIGPIPE can fail the check under pipefail (the Nix image
# runs this script with bash -o pipefail).
if ! ffmpeg_version=$(ffmpeg -hide_banner -version 2>&1); then
  echo "hls-swarm-entrypoint: ffmpeg does not run in this image: ${ffmpeg_version}" >&2
  exit 1
fi
printf '%s\n' "${ffmpeg_version}" | sed -n 1p
echo ""

# shellcheck disable=SC2086 # ${pre} holds whole flags, split on purpose
exec hls-swarm ${pre} "$@"
