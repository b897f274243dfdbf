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
# Usage: scripts/run-microvm.sh [--dir DIR] [--role client|origin] [--origin HOST:PORT]
#                               [--socket-net LOCAL:PEER] [--netem 'ARGS'] [--logs DIR] [--args 'FLAGS']
#                               [--metrics-port PORT] [--serial FILE] [--qmp SOCKET]
#                               [--shell SOCKET] [--memory MB] [--vcpus N] [--snapshot]
#   --dir           build-microvm.sh's output (default: build/microvm)
#   --role          client (hls-swarm.service) or origin (hls-swarm-origin.service: the test
#                   origin and nginx on :8080); default: vm.conf's ROLE (build-microvm.sh --role)
#   --origin        where the guest's http://10.0.2.100:8080 goes (default: 127.0.0.1:8080);
#                   the client's `origin` when there is no --socket-net
#   --socket-net    a second NIC on a private QEMU socket network (UDP on 127.0.0.1, this VM on
#                   port LOCAL, the other VM on PEER): the origin is 10.10.0.1, the client
#                   10.10.0.2, and the client's `origin` is the origin VM; no guestfwd then
#   --netem         tc netem arguments for network-impairment.service this run, e.g.
#                   'delay 50ms 10ms loss 1%' ('off': none, even if the image has some)
#   --args          more hls-swarm flags for the client this run (its EXTRA_ARGS), e.g.
#                   '-engine native' or '-clients 10'
#   --logs          host directory shared as the guest's /var/log/swarm (virtio-9p): the
#                   service's log and summary.json (client), access.log (origin) when stopped
#   --metrics-port  host loopback port for the guest's metrics port (default: the same number)
#   --serial        write the console to FILE instead of stdout
#   --qmp           QMP (QEMU Machine Protocol) unix socket to create, e.g. for system_powerdown
#   --shell         unix socket to create for a root shell in the guest (virtio console; tests)
#   --memory, --vcpus  override vm.conf's MEMORY_MB and VCPUS
#   --snapshot      leave disk.img unchanged: the guest's writes go to a temporary overlay
#
# Two VMs on one host (the design document's origin + client test), same disk, both -snapshot:
#   scripts/run-microvm.sh --role origin --socket-net 10001:10002 --metrics-port 19091 --snapshot &
#   scripts/run-microvm.sh --role client --socket-net 10002:10001 --logs /tmp/swarm-logs --snapshot
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$repo/build/microvm
origin=127.0.0.1:8080
metrics_port=
serial=
qmp=
snapshot=off
role=
socket_net=
netem=
args=
logs=
shell=
memory=
vcpus=

while (($#)); do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --origin) origin=$2; shift 2 ;;
    --metrics-port) metrics_port=$2; shift 2 ;;
    --serial) serial=$2; shift 2 ;;
    --qmp) qmp=$2; shift 2 ;;
    --snapshot) snapshot=on; shift ;;
    --role) role=$2; shift 2 ;;
    --socket-net) socket_net=$2; shift 2 ;;
    --netem) netem=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --args) args=$2; shift 2 ;;
    --shell) shell=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --vcpus) vcpus=$2; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-microvm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "run-microvm: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found: run 'make setup'"
for f in vm.conf vmlinuz initrd.img disk.img; do
  [[ -e $dir/$f ]] || fail "no $dir/$f: run scripts/build-microvm.sh first"
done
# shellcheck source=/dev/null
. "$dir/vm.conf"
metrics_port=${metrics_port:-$GUEST_METRICS_PORT}
role=${role:-${ROLE:-client}}
memory=${memory:-$MEMORY_MB}
vcpus=${vcpus:-$VCPUS}
[[ $role == client || $role == origin ]] || fail "--role is client or origin, not '$role'"
[[ $origin =~ ^[^:,\ ]+:[0-9]+$ ]] || fail "--origin wants HOST:PORT, not '$origin'"
[[ -z $socket_net || $socket_net =~ ^[0-9]+:[0-9]+$ ]] || fail "--socket-net wants LOCAL:PEER ports, not '$socket_net'"
[[ $netem =~ ^[A-Za-z0-9.%\ ]*$ ]] || fail "--netem takes tc netem words (letters, digits, '.', '%'), not '$netem'"
[[ $args =~ ^[-A-Za-z0-9=./:_\ ]*$ ]] || fail "--args takes flags without quotes or commas, not '$args'"
[[ -z $logs || -d $logs ]] || fail "--logs $logs is not a directory"
[[ $memory =~ ^[0-9]+$ && $vcpus =~ ^[0-9]+$ ]] || fail "--memory and --vcpus want numbers"

# tsc_early_khz: without a PIT calibration under TCG, microvm's early TSC setup can hang.
# panic=-1 with -no-reboot: a guest panic ends QEMU instead of leaving it spinning.
# tsc=reliable: with 2 vCPUs the kernel finds the TSCs "unsynchronized" and falls back to
# jiffies, which lose ticks whenever TCG is starved of host CPU: guest time then runs slow
# (measured: 65 s of guest time in 142 s). TCG's TSC follows the host's clock.
cmdline="console=ttyS0 root=/dev/vda rw tsc_early_khz=2000000 tsc=reliable panic=-1"
[[ $role == client ]] || cmdline+=" hlsswarm.role=$role"
# The kernel command line splits at spaces: netem's words go joined by commas.
netem_words=$(echo $netem)
[[ -z $netem_words ]] || cmdline+=" hlsswarm.netem=${netem_words// /,}"
args_words=$(echo $args)
[[ -z $args_words ]] || cmdline+=" hlsswarm.args=${args_words// /,}"
extra=()
# User networking: the metrics port; for a client without --socket-net also the origin.
user_net="user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$metrics_port-:$GUEST_METRICS_PORT"
if [[ $role == client && -z $socket_net ]]; then
  command -v socat >/dev/null || fail "socat not found: run 'make setup'"
  user_net+=",guestfwd=tcp:10.0.2.100:8080-cmd:socat STDIO TCP:$origin"
fi
if [[ -n $socket_net ]]; then
  cmdline+=" hlsswarm.lan"
  mac=02:00:00:00:0a:02
  [[ $role == client ]] || mac=02:00:00:00:0a:01
  extra+=(-netdev "socket,id=net1,udp=127.0.0.1:${socket_net#*:},localaddr=127.0.0.1:${socket_net%%:*}"
    -device "virtio-net-device,netdev=net1,mac=$mac")
fi
if [[ -n $logs ]]; then
  extra+=(-fsdev "local,id=swarmlogs,path=$(cd "$logs" && pwd),security_model=none"
    -device virtio-9p-device,fsdev=swarmlogs,mount_tag=swarmlogs)
fi
if [[ -n $shell ]]; then
  cmdline+=" hlsswarm.shell"
  extra+=(-device virtio-serial-device -chardev "socket,id=shell,path=$shell,server=on,wait=off"
    -device virtconsole,chardev=shell)
fi
if [[ -n $serial ]]; then
  console=(-chardev "file,id=console,path=$serial" -serial chardev:console)
else
  console=(-serial stdio)
fi
control=(-monitor none)
[[ -z $qmp ]] || control+=(-qmp "unix:$qmp,server=on,wait=off")

exec qemu-system-x86_64 \
  -M microvm,acpi=on -accel tcg -cpu max -smp "$vcpus" -m "$memory" \
  -nodefaults -no-user-config -display none -no-reboot \
  -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$cmdline" \
  "${console[@]}" "${control[@]}" \
  -drive "id=root,file=$dir/disk.img,format=raw,if=none,snapshot=$snapshot" \
  -device virtio-blk-device,drive=root \
  -netdev "$user_net" -device virtio-net-device,netdev=net0,mac=02:00:00:00:00:01 \
  "${extra[@]}" \
  -device virtio-rng-device
