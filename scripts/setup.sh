#!/usr/bin/env bash
# Installs the Debian 12 packages hls-swarm needs to build, test and run. Idempotent: when
# everything is installed it does nothing; otherwise one `apt-get update`, then one install.
set -euo pipefail

PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config make git
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev libcurl4-openssl-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libfmt-dev libexpected-dev libncurses-dev
  # native engine: TLS (OpenSSL) and name resolution on the event loop (c-ares)
  libssl-dev libc-ares-dev
  clang-format clang-tidy
  # run and test
  ffmpeg nginx prometheus prometheus-node-exporter prometheus-nginx-exporter curl iproute2 procps
  python3 tmux
  # JUnit XML of -junit read back by a real consumer (tests/integration/test_thresholds.py)
  python3-junitparser
  # native engine tests and benchmarks: a DNS server in a namespace, wrk as the throughput yardstick
  dnsmasq-base wrk
  # deployment checks (nix-instantiate for nix/, tests/integration/test_nix.py)
  nix-bin
  # OCI images without a Docker daemon (deploy/oci/), run by podman and by a dockerd the
  # test starts itself; docker-compose validates the Compose file
  debootstrap buildah podman skopeo umoci runc docker.io docker-compose
  # MicroVM without Nix (scripts/build-microvm.sh, tests/integration/test_microvm.py): QEMU
  # under TCG, mkfs.ext4 -d for the disk image, socat for the guest's forwarded origin port
  qemu-system-x86 e2fsprogs socat
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}; run 'make setup' as root (or with sudo)" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
# Package scripts must not start nginx or prometheus as system services: hls-swarm runs its
# own instances. policy-rc.d (Debian's documented switch) says "not now" for the install only.
policy=/usr/sbin/policy-rc.d
placed_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  placed_policy=1
fi
cleanup() { if ((placed_policy)); then rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
