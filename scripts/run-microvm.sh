#!/usr/bin/env bash
# Starts the MicroVM that scripts/build-microvm.sh made: QEMU `-M microvm` under TCG (no KVM
# needed), 2 vCPUs, memory from the profile (vm.conf), the ext4 disk on virtio, and user
# networking with restrict=on, so the guest reaches only what is forwarded:
#   host 127.0.0.1:METRICS  ->  guest's metrics port (hls-swarm's /metrics)
#   guest 10.0.2.100:8080   ->  --origin HOST:PORT on the host (guestfwd's cmd: form runs one
#                               socat per connection, detached; it ends when QEMU closes it)
# The serial console (kernel, systemd, hls-swarm's log) goes to stdout or --serial FILE.
# `system_powerdown` on the --qmp socket presses the ACPI power button: the guest stops
# hls-swarm, powers off and QEMU exits. QEMU replaces this script (same PID).
#
# Usage: scripts/run-microvm.sh [--dir DIR] [--origin HOST:PORT] [--metrics-port PORT]
#                               [--serial FILE] [--qmp SOCKET] [--snapshot]
#   --dir           build-microvm.sh's output (default: build/microvm)
#   --origin        where the guest's http://10.0.2.100:8080 goes (default: 127.0.0.1:8080)
#   --metrics-port  host loopback port for the guest's metrics port (default: the same number)
#   --serial        write the console to FILE instead of stdout
#   --qmp           QMP (QEMU Machine Protocol) unix socket to create, e.g. for system_powerdown
#   --snapshot      leave disk.img unchanged: the guest's writes go to a temporary overlay
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$repo/build/microvm
origin=127.0.0.1:8080
metrics_port=
serial=
qmp=
snapshot=off

while (($#)); do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --origin) origin=$2; shift 2 ;;
    --metrics-port) metrics_port=$2; shift 2 ;;
    --serial) serial=$2; shift 2 ;;
    --qmp) qmp=$2; shift 2 ;;
    --snapshot) snapshot=on; shift ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-microvm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "run-microvm: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: run 'make setup'"
command -v socat >/dev/null || fail "socat not found: run 'make setup'"
for f in vm.conf vmlinuz initrd.img disk.img; do
  [[ -e $dir/$f ]] || fail "no $dir/$f: run scripts/build-microvm.sh first"
done
# shellcheck source=/dev/null
. "$dir/vm.conf"
metrics_port=${metrics_port:-$GUEST_METRICS_PORT}
[[ $origin =~ ^[^:,\ ]+:[0-9]+$ ]] || fail "--origin wants HOST:PORT, not '$origin'"

# tsc_early_khz: without a PIT calibration under TCG, microvm's early TSC setup can hang.
# panic=-1 with -no-reboot: a guest panic ends QEMU instead of leaving it spinning.
cmdline="console=ttyS0 root=/dev/vda rw tsc_early_khz=2000000 panic=-1"
if [[ -n $serial ]]; then
  console=(-chardev "file,id=console,path=$serial" -serial chardev:console)
else
  console=(-serial stdio)
fi
control=(-monitor none)
[[ -z $qmp ]] || control+=(-qmp "unix:$qmp,server=on,wait=off")

exec qemu-system-x86_64 \
  -M microvm,acpi=on -accel tcg -cpu max -smp "$VCPUS" -m "$MEMORY_MB" \
  -nodefaults -no-user-config -display none -no-reboot \
  -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$cmdline" \
  "${console[@]}" "${control[@]}" \
  -drive "id=root,file=$dir/disk.img,format=raw,if=none,snapshot=$snapshot" \
  -device virtio-blk-device,drive=root \
  -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$metrics_port-:$GUEST_METRICS_PORT,guestfwd=tcp:10.0.2.100:8080-cmd:socat STDIO TCP:$origin" \
  -device virtio-net-device,netdev=net0,mac=02:00:00:00:00:01 \
  -device virtio-rng-device
