#!/usr/bin/env bash
# Builds the hls-swarm and hls-swarm-origin OCI images without a Docker daemon and writes them
# as `docker load`-able archives:
#
#   1. debootstrap a minimal Debian 12 root filesystem (Debian packages only) and store it, in
#      a private buildah store, as docker.io/library/debian:bookworm-slim;
#   2. `buildah bud` deploy/oci/Containerfile (the file users with a registry build) on it,
#      then deploy/oci/Containerfile.origin on the result;
#   3. `buildah push` both to docker-archive tarballs.
#
# Usage: scripts/build-image.sh [--binary PATH] [--out DIR] [--from-registry]
#   --binary         the hls-swarm to put in the image (default: build/hls-swarm)
#   --out            work and output directory (default: build/oci); the debootstrap root
#                    filesystem is kept there and reused by later runs
#   --from-registry  pull debian:bookworm-slim instead of making it with debootstrap
# Needs root, buildah and (without --from-registry) debootstrap: `make setup` installs them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$repo/build/hls-swarm
out=$repo/build/oci
from_registry=0
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

while (($#)); do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --from-registry) from_registry=1; shift ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-image: $*" >&2; exit 1; }
step() { printf '[build-image %3ds] %s\n' "$SECONDS" "$*"; }

[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap and buildah's chroot isolation)"
command -v buildah >/dev/null || fail "buildah not found: run 'make setup'"
((from_registry)) || command -v debootstrap >/dev/null || fail "debootstrap not found: run 'make setup'"
[[ -x $binary ]] || fail "no hls-swarm binary at $binary: run 'make build' or pass --binary"

mkdir -p "$out"
out=$(cd "$out" && pwd)
# A private store: nothing touches the host's containers/storage, and removing $out removes all.
bh=(buildah --storage-driver vfs --root "$out/storage" --runroot "$out/run")
base=docker.io/library/debian:bookworm-slim

# Every library the binary links must come from a package the Containerfile installs.
containerfile=$repo/deploy/oci/Containerfile
while read -r lib; do
  pkg=$(dpkg -S "*/$(basename "$(dirname "$lib")")/$(basename "$lib")" 2>/dev/null | head -n 1 | cut -d: -f1)
  [[ -n $pkg ]] || continue
  # In every Debian root filesystem (apt and bash need them).
  case $pkg in libc6 | libgcc-s1 | libstdc++6 | libtinfo6) continue ;; esac
  # Libraries the listed packages pull in are fine; a direct dependency must be listed.
  if ! grep -qw -- "$pkg" "$containerfile"; then
    needed=$(objdump -p "$binary" | awk '/NEEDED/ {print $2}')
    if grep -qx -- "$(basename "$lib")" <<<"$needed"; then
      fail "the binary links $(basename "$lib") from $pkg, which $containerfile does not install"
    fi
  fi
done < <(ldd "$binary" | awk '$3 ~ /^\// {print $3}')

if ! "${bh[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  if ((from_registry)); then
    step "pulling $base"
    "${bh[@]}" pull -q "$base" >/dev/null
  else
    rootfs=$out/rootfs-bookworm
    if [[ ! -e $rootfs/.complete ]]; then
      step "debootstrap --variant=minbase bookworm from $mirror"
      rm -rf "$rootfs"
      debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
        fail "debootstrap failed; see $out/debootstrap.log"
      # What debian:bookworm-slim also leaves out.
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
      touch "$rootfs/.complete"
    fi
    step "storing the root filesystem as $base"
    tar -C "$rootfs" --exclude=./.complete --numeric-owner -cf "$out/rootfs.tar" .
    ctr=$("${bh[@]}" from scratch)
    "${bh[@]}" add "$ctr" "$out/rootfs.tar" / >/dev/null
    "${bh[@]}" config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    "${bh[@]}" commit -q "$ctr" "$base" >/dev/null
    "${bh[@]}" rm "$ctr" >/dev/null
    rm -f "$out/rootfs.tar"
  fi
fi

version=$("$binary" -version 2>/dev/null | head -n 1 | awk '{print $2}')
version=${version:-dev}
context=$out/context
rm -rf "$context"
mkdir -p "$context"
cp "$binary" "$context/hls-swarm"
strip --strip-debug "$context/hls-swarm"
cp "$repo/deploy/oci/entrypoint.sh" "$context/entrypoint.sh"

build=("${bh[@]}" bud --isolation chroot --network host --pull=never --layers=false -q)
step "building hls-swarm:$version from deploy/oci/Containerfile"
"${build[@]}" --build-arg "VERSION=$version" -f "$containerfile" \
  -t localhost/hls-swarm:latest -t "localhost/hls-swarm:$version" "$context" >/dev/null
step "building hls-swarm-origin from deploy/oci/Containerfile.origin"
"${build[@]}" -f "$repo/deploy/oci/Containerfile.origin" \
  -t localhost/hls-swarm-origin:latest "$context" >/dev/null

for image in hls-swarm hls-swarm-origin; do
  step "writing $out/$image.tar"
  rm -f "$out/$image.tar"
  "${bh[@]}" push -q "localhost/$image:latest" "docker-archive:$out/$image.tar:$image:latest" >/dev/null
done
step "done: $(du -h "$out/hls-swarm.tar" | cut -f1) hls-swarm.tar, $(du -h "$out/hls-swarm-origin.tar" | cut -f1) hls-swarm-origin.tar"
echo "load with:  docker load -i $out/hls-swarm.tar   (or podman load -i ...)"
