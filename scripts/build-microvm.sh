#!/usr/bin/env bash
# Builds the hls-swarm MicroVM without Nix: the same machine nix/swarm-client/microvm.nix
# describes (Debian instead of NixOS), for QEMU's `-M microvm`, started by scripts/run-microvm.sh.
#
#   1. debootstrap --variant=minbase a Debian 12 root filesystem, then install in it systemd,
#      Debian's kernel and initramfs, FFmpeg, nginx-light and hls-swarm's runtime libraries
#      (kept in OUT/rootfs and reused by later runs);
#   2. install the binary and deploy/systemd/hls-swarm.service (enabled), an EnvironmentFile,
#      deploy/sysctl/99-hls-swarm.conf, DHCP on the user-net NIC (systemd-networkd), journald
#      forwarding to the serial console, and hls-swarm-vm-report.service, which prints the
#      applied sysctl values and the service's uids to the console; the origin role's
#      hls-swarm-origin.service (`hls-swarm origin`: FFmpeg + nginx on :8080), the
#      network-impairment.service (tc netem), the /var/log/swarm log share (virtio-9p) and
#      a test shell on the virtio console (only with run-microvm.sh --shell);
#   3. write OUT/disk.img (ext4, `mkfs.ext4 -d`, no loop mount), OUT/vmlinuz, OUT/initrd.img
#      and OUT/vm.conf (memory = the profile's estimated memory + 256 MB, 2 vCPUs).
#
# One disk holds both roles: the kernel command line picks one (run-microvm.sh --role), so the
# origin VM and the client VM boot the same disk.img (with -snapshot) and no second image is built.
#
# Usage: scripts/build-microvm.sh [--binary PATH] [--out DIR] [--env FILE] [--role ROLE]
#                                 [--netem 'NETEM ARGS'] [--origin-profile NAME]
#   --binary  the hls-swarm to put in the VM (default: build/hls-swarm)
#   --out     work and output directory (default: build/microvm)
#   --env     the guest's /etc/default/hls-swarm (default: the stream at
#             http://origin:8080/stream.m3u8 and 2 viewers; `origin` is the origin VM on the
#             socket network, or else 10.0.2.100, which run-microvm.sh --origin forwards to
#             the host)
#   --role    client (hls-swarm.service) or origin (hls-swarm-origin.service): the role
#             run-microvm.sh boots when it is given no --role (default: client)
#   --netem   tc netem arguments network-impairment.service applies at every boot, e.g.
#             'delay 50ms 10ms loss 1%' or 'rate 10mbit' (default: none; run-microvm.sh
#             --netem sets or overrides them per run)
#   --origin-profile  the origin role's `hls-swarm origin -profile` (default: tiny)
# Needs root, debootstrap and e2fsprogs: `make setup` installs them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$repo/build/hls-swarm
out=$repo/build/microvm
env_file=
role=client
netem=
origin_profile=tiny
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

while (($#)); do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --env) env_file=$2; shift 2 ;;
    --role) role=$2; shift 2 ;;
    --netem) netem=$2; shift 2 ;;
    --origin-profile) origin_profile=$2; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-microvm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-microvm: $*" >&2; exit 1; }
step() { printf '[build-microvm %3ds] %s\n' "$SECONDS" "$*"; }

[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap, chroot, file ownership in the image)"
command -v debootstrap >/dev/null || fail "debootstrap not found: run 'make setup'"
command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 not found: run 'make setup' (e2fsprogs)"
[[ -x $binary ]] || fail "no hls-swarm binary at $binary: run 'make build' or pass --binary"
[[ -z $env_file || -r $env_file ]] || fail "cannot read --env $env_file"
[[ $role == client || $role == origin ]] || fail "--role is client or origin, not '$role'"
[[ $netem =~ ^[A-Za-z0-9.%\ ]*$ ]] || fail "--netem takes tc netem words (letters, digits, '.', '%'), not '$netem'"
[[ $origin_profile =~ ^[a-z-]+$ ]] || fail "bad --origin-profile '$origin_profile'"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rootfs=$out/rootfs

# Debian packages of the guest. The runtime libraries are deploy/oci/Containerfile's list;
# dbus lets systemd-logind run, which turns the ACPI power button (QEMU's system_powerdown)
# into a clean poweroff.
packages=(
  systemd-sysv dbus linux-image-amd64 zstd
  ffmpeg nginx-light ca-certificates curl procps iproute2
  libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 libcurl4 libncursesw6 libssl3 libc-ares2
)
# Modules the initramfs needs to mount the root disk: with MODULES=list it holds only these
# (and what they depend on), which keeps it small and quick to unpack under TCG.
initramfs_modules=(virtio_mmio virtio_pci virtio_blk ext4 crc32c_generic)
# Module trees a headless VM never loads; dropping them halves /lib/modules (400 -> 210 MB).
prune_modules=(drivers/gpu drivers/media drivers/net/wireless drivers/infiniband drivers/staging
  drivers/bluetooth drivers/iio drivers/isdn drivers/scsi/qla2xxx drivers/scsi/lpfc
  drivers/net/ethernet/mellanox drivers/net/ethernet/intel sound net/bluetooth net/wireless
  net/mac80211)
base_id=$(printf '%s\n' "${packages[@]}" "${initramfs_modules[@]}" "${prune_modules[@]}" | sha256sum | cut -c1-16)

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"; done
  mounted=()
}
trap unmount_all EXIT
# proc and sysfs only: debootstrap's own /dev nodes are enough for apt, and no host /dev is
# ever bound under a directory this script may delete.
chroot_mounts() {
  mount -t proc proc "$rootfs/proc" && mounted+=("$rootfs/proc")
  mount -t sysfs sysfs "$rootfs/sys" && mounted+=("$rootfs/sys")
}
# What a killed earlier run left mounted below the root filesystem, deepest first.
unmount_leftovers() {
  awk -v r="$rootfs/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r mp; do umount -l "$mp"; done
}
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

build_base() {
  step "debootstrap --variant=minbase bookworm from $mirror"
  unmount_leftovers
  rm -rf --one-file-system "$rootfs" "$out/rootfs.complete"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    fail "debootstrap failed; see $out/debootstrap.log"
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
  # Package scripts must not start nginx or anything else in the build host's chroot.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  chroot_mounts
  local apt=(apt-get -q -y -o Dpkg::Use-Pty=0 --no-install-recommends)
  {
    in_root apt-get -q update
    # initramfs-tools first, so the kernel's postinst builds the initramfs with our module list.
    in_root "${apt[@]}" install initramfs-tools
    printf '%s\n' '# The MicroVM root disk (scripts/build-microvm.sh).' "${initramfs_modules[@]}" \
      >>"$rootfs/etc/initramfs-tools/modules"
    printf 'MODULES=list\nCOMPRESS=zstd\n' >"$rootfs/etc/initramfs-tools/conf.d/hls-swarm-microvm"
    step "installing ${#packages[@]} packages (and their dependencies) in the root filesystem" >&3
    in_root "${apt[@]}" install "${packages[@]}"
    in_root apt-get clean
  } 3>&1 >"$out/apt.log" 2>&1 || fail "apt-get in the chroot failed; see $out/apt.log"
  local kdirs kdir
  kdirs=("$rootfs"/lib/modules/*)
  kdir=${kdirs[0]}
  for tree in "${prune_modules[@]}"; do rm -rf "${kdir:?}/kernel/$tree"; done
  in_root depmod "$(basename "$kdir")"
  unmount_all
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  # Empty: systemd makes a new machine id at every boot instead of every VM sharing one.
  : >"$rootfs/etc/machine-id"
  echo "$base_id" >"$out/rootfs.complete"
}

if [[ ! -e $out/rootfs.complete || $(cat "$out/rootfs.complete") != "$base_id" ]]; then
  build_base
else
  step "reusing the root filesystem in $rootfs"
fi

kernel=$(find "$rootfs/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sort -V | tail -n 1)
kver=${kernel#vmlinuz-}
# The root disk's drivers must be built in or in the initramfs.
initrd_files=$(in_root lsinitramfs "/boot/initrd.img-$kver")
for mod in virtio_mmio virtio_blk ext4; do
  grep -q "/$mod.ko" "$rootfs/lib/modules/$kver/modules.builtin" || grep -q "/$mod.ko" <<<"$initrd_files" ||
    fail "the initramfs lacks $mod.ko; remove $out/rootfs.complete and rebuild"
done

step "installing hls-swarm and its configuration"
install -m 0755 "$binary" "$rootfs/usr/local/bin/hls-swarm"
strip --strip-debug "$rootfs/usr/local/bin/hls-swarm"
missing=$(in_root ldd /usr/local/bin/hls-swarm | awk '/not found/ {print $1}')
[[ -z $missing ]] || fail "libraries missing in the guest: $missing (add their packages above)"
install -m 0644 "$repo/deploy/systemd/hls-swarm.service" "$rootfs/etc/systemd/system/hls-swarm.service"
install -m 0644 "$repo/deploy/sysctl/99-hls-swarm.conf" "$rootfs/etc/sysctl.d/99-hls-swarm.conf"
if [[ -n $env_file ]]; then
  install -m 0644 "$env_file" "$rootfs/etc/default/hls-swarm"
else
  cat >"$rootfs/etc/default/hls-swarm" <<'EOF'
# /etc/default/hls-swarm of the MicroVM (scripts/build-microvm.sh; see deploy/systemd/hls-swarm.env).
# `origin` is the origin VM on run-microvm.sh --socket-net (10.10.0.1), or else 10.0.2.100,
# QEMU's guestfwd that run-microvm.sh --origin HOST:PORT connects to an origin on the host;
# nothing else outside the VM is reachable (restrict=on). hls-swarm-vm-setup writes /etc/hosts.
STREAM_URL=http://origin:8080/stream.m3u8
CLIENTS=2
RAMP_RATE=2
LOG_LEVEL=info
EOF
fi

echo hls-swarm >"$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thls-swarm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
# The initramfs mounts /dev/vda read-write (root=/dev/vda rw); no fsck of a fresh image.
printf '/dev/vda\t/\text4\tdefaults,noatime\t0\t0\n' >"$rootfs/etc/fstab"

mkdir -p "$rootfs/etc/systemd/network" "$rootfs/etc/systemd/journald.conf.d"
cat >"$rootfs/etc/systemd/network/20-user-net.network" <<'EOF'
# QEMU user networking (slirp): DHCP gives 10.0.2.15/24, gateway 10.0.2.2.
[Match]
MACAddress=02:00:00:00:00:01

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
cat >"$rootfs/etc/systemd/journald.conf.d/hls-swarm-console.conf" <<'EOF'
# Everything logged, hls-swarm's own output included, also goes to the serial console
# (console=ttyS0), which QEMU writes to a file: the MicroVM's log on the host.
[Journal]
Storage=volatile
ForwardToConsole=yes
MaxLevelConsole=info
EOF

cat >"$rootfs/usr/local/sbin/hls-swarm-vm-report" <<'EOF'
#!/bin/sh
# Prints, on the console, the sysctl values hls-swarm's file set and the uids hls-swarm.service
# and its FFmpeg viewers run as (tests/integration/test_microvm.py reads them).
conf=/etc/sysctl.d/99-hls-swarm.conf
sed -n 's/^-\{0,1\}\([a-z0-9_.][-a-z0-9_./]*\)[[:space:]]*=.*/\1/p' "$conf" | while read -r key; do
  if value=$(sysctl -n "$key" 2>/dev/null); then
    echo "hls-swarm-vm: sysctl $key = $(echo $value)"
  else
    echo "hls-swarm-vm: sysctl $key unknown to this kernel"
  fi
done
# All viewers running: as many FFmpeg children as CLIENTS asks for (the startup probe is one).
want=$(sed -n 's/^CLIENTS=\([0-9][0-9]*\)$/\1/p' /etc/default/hls-swarm 2>/dev/null)
if grep -q -- '-engine native' /run/hls-swarm-vm.env 2>/dev/null; then
  echo "hls-swarm-vm: native engine, no FFmpeg viewers to report"
  exit 0
fi
i=0
while [ $i -lt 600 ]; do
  main=$(systemctl show -p MainPID --value hls-swarm.service)
  if [ "${main:-0}" -gt 0 ] && [ "$(pgrep -c -P "$main" -x ffmpeg)" -ge "${want:-1}" ]; then
    echo "hls-swarm-vm: service $(systemctl show -p User,DynamicUser hls-swarm.service | tr '\n' ' ')"
    ps -o pid=,uid=,comm= -p "$main" --ppid "$main" | while read -r pid uid comm; do
      echo "hls-swarm-vm: process $pid uid=$uid comm=$comm"
    done
    exit 0
  fi
  i=$((i + 1))
  sleep 1
done
echo "hls-swarm-vm: hls-swarm.service has no FFmpeg viewers after 600 s"
exit 1
EOF
chmod 0755 "$rootfs/usr/local/sbin/hls-swarm-vm-report"
cat >"$rootfs/etc/systemd/system/hls-swarm-vm-report.service" <<'EOF'
[Unit]
Description=Report the applied sysctl values and hls-swarm's uids on the console
ConditionKernelCommandLine=!hlsswarm.role=origin
After=systemd-sysctl.service hls-swarm.service

[Service]
# exec, not oneshot: it waits for the viewers and must not hold up multi-user.target.
Type=exec
ExecStart=/usr/local/sbin/hls-swarm-vm-report
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF
# --- Roles, network impairment, the log share and the test shell ---------------------------
# The kernel command line carries what changes per run (scripts/run-microvm.sh):
#   hlsswarm.role=origin   boot as the origin VM (hls-swarm-origin.service) instead of the client
#   hlsswarm.lan           a second NIC on QEMU's socket network: origin 10.10.0.1, client 10.10.0.2
#   hlsswarm.netem=W,W,..  tc netem arguments, commas for spaces (`off`: none, even if built in)
#   hlsswarm.args=W,W,..   the client's EXTRA_ARGS this run (more hls-swarm flags, commas for
#                          spaces, e.g. -engine,native): /run/hls-swarm-vm.env
#   hlsswarm.shell         a root shell on the virtio console /dev/hvc0 (tests only)
mkdir -p "$rootfs/etc/systemd/system/hls-swarm.service.d" "$rootfs/etc/modules-load.d" "$rootfs/var/log/swarm"
printf '%s\n' '# The MicroVM: tc netem and the virtio-9p log share (scripts/build-microvm.sh).' \
  sch_netem 9p 9pnet_virtio >"$rootfs/etc/modules-load.d/hls-swarm-microvm.conf"
# The log share: nofail, so a VM started without run-microvm.sh --logs boots the same.
# After systemd-modules-load: before 9pnet_virtio is in, the tag does not exist yet.
printf 'swarmlogs\t/var/log/swarm\t9p\ttrans=virtio,version=9p2000.L,msize=262144,nofail,x-systemd.after=systemd-modules-load.service\t0\t0\n' \
  >>"$rootfs/etc/fstab"
for lan in origin:10.10.0.1:01 client:10.10.0.2:02; do
  IFS=: read -r name addr mac <<<"$lan"
  cat >"$rootfs/etc/systemd/network/30-lan-$name.network" <<EOF
# The $name VM's NIC on the private QEMU socket network (run-microvm.sh --socket-net).
[Match]
MACAddress=02:00:00:00:0a:$mac

[Network]
Address=$addr/24
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
done

cat >"$rootfs/usr/local/sbin/hls-swarm-vm-setup" <<'EOF'
#!/bin/sh
# The role's host name and /etc/hosts: `origin` is the origin VM on the socket network
# (hlsswarm.lan), or else QEMU's guestfwd address 10.0.2.100 (run-microvm.sh --origin).
role=client origin=10.0.2.100
: >/run/hls-swarm-vm.env
for arg in $(cat /proc/cmdline); do
  case $arg in
    hlsswarm.role=*) role=${arg#hlsswarm.role=} ;;
    hlsswarm.lan) origin=10.10.0.1 ;;
    hlsswarm.args=*) echo "EXTRA_ARGS=$(echo "${arg#hlsswarm.args=}" | tr ',' ' ')" >/run/hls-swarm-vm.env ;;
  esac
done
name=hls-swarm
[ "$role" = origin ] && name=origin
echo "$name" >/proc/sys/kernel/hostname
echo "$name" >/etc/hostname
{
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$name"
  [ "$role" = origin ] || printf '%s\torigin\n' "$origin"
  [ "$origin" = 10.10.0.1 ] && printf '10.10.0.2\tclient\n'
  printf '::1\tlocalhost ip6-localhost ip6-loopback\n'
} >/etc/hosts
echo "hls-swarm-vm: role $role, origin $origin $(cat /run/hls-swarm-vm.env)"
EOF
cat >"$rootfs/etc/systemd/system/hls-swarm-vm-setup.service" <<'EOF'
[Unit]
Description=MicroVM role from the kernel command line: host name and /etc/hosts
DefaultDependencies=no
After=local-fs.target
Before=sysinit.target network-pre.target systemd-networkd.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/hls-swarm-vm-setup
StandardOutput=journal+console

[Install]
WantedBy=sysinit.target
EOF

cat >"$rootfs/usr/local/sbin/hls-swarm-netem" <<'EOF'
#!/bin/sh
# network-impairment.service: `tc qdisc add dev DEV root netem ARGS` on start, `del` on stop.
# ARGS: the kernel command line's hlsswarm.netem= (commas for spaces; `off` for none), or else
# NETEM in /etc/default/network-impairment (build-microvm.sh --netem). DEV: the interface the
# route to `origin` leaves by (eth0 for the user network, the socket network's NIC otherwise).
set -eu
NETEM=
[ -r /etc/default/network-impairment ] && . /etc/default/network-impairment
for arg in $(cat /proc/cmdline); do
  case $arg in hlsswarm.netem=*) NETEM=$(echo "${arg#hlsswarm.netem=}" | tr ',' ' ') ;; esac
done
[ "$NETEM" = off ] && NETEM=
origin=$(getent hosts origin | awk '{print $1; exit}')
dev=$(ip -o route get "${origin:-10.0.2.100}" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
dev=${dev:-eth0}
case ${1:-} in
  start)
    if [ -z "$NETEM" ]; then
      echo "hls-swarm-vm: network impairment off"
      exit 0
    fi
    modprobe sch_netem
    # shellcheck disable=SC2086 # the words are tc's arguments
    tc qdisc replace dev "$dev" root netem $NETEM
    echo "hls-swarm-vm: netem on $dev: $(tc qdisc show dev "$dev" root)"
    ;;
  stop)
    if tc qdisc show dev "$dev" root | grep -q netem; then
      tc qdisc del dev "$dev" root
      echo "hls-swarm-vm: netem removed from $dev"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
EOF
cat >"$rootfs/etc/systemd/system/network-impairment.service" <<'EOF'
# The design document's traffic shaping test: tc netem on the client's interface toward the
# origin, before hls-swarm starts and removed when stopped. Arguments: /etc/default/network-
# impairment (NETEM="delay 50ms 10ms"), or the kernel command line's hlsswarm.netem=.
[Unit]
Description=Simulate network latency, loss or rate (tc netem)
After=network-online.target hls-swarm-vm-setup.service systemd-modules-load.service
Wants=network-online.target
Before=hls-swarm.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/hls-swarm-netem start
ExecStop=/usr/local/sbin/hls-swarm-netem stop
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF
if [[ -n $netem ]]; then
  printf '# network-impairment.service (build-microvm.sh --netem)\nNETEM="%s"\n' "$netem" \
    >"$rootfs/etc/default/network-impairment"
else
  rm -f "$rootfs/etc/default/network-impairment"
fi

# The client: hls-swarm.service as deploy/systemd has it, plus the summary JSON and the log
# copied to the log share when it stops (ExecStopPost runs as root: the share is root's).
cat >"$rootfs/etc/systemd/system/hls-swarm.service.d/microvm.conf" <<'EOF'
[Unit]
ConditionKernelCommandLine=!hlsswarm.role=origin
# var-log-swarm.mount: at poweroff the log share is unmounted only after ExecStopPost copied.
After=network-impairment.service hls-swarm-vm-setup.service var-log-swarm.mount

[Service]
# After /etc/default/hls-swarm: run-microvm.sh --args sets EXTRA_ARGS for one run.
EnvironmentFile=-/run/hls-swarm-vm.env
LogsDirectory=hls-swarm
TimeoutStopSec=30
ExecStart=
ExecStart=/usr/local/bin/hls-swarm -tui=false -profile default -summary-json /var/log/hls-swarm/summary.json ${STREAM_URL}
ExecStopPost=+/usr/local/sbin/hls-swarm-vm-collect hls-swarm "shutdown complete"
EOF
cat >"$rootfs/usr/local/sbin/hls-swarm-vm-collect" <<'EOF'
#!/bin/sh
# Copies a unit's journal, hls-swarm's summary JSON and the origin's access log to the log
# share /var/log/swarm. MARK: the unit's last line, awaited (at most 5 s) before copying.
unit=$1 mark=${2:-}
mountpoint -q /var/log/swarm || { echo "hls-swarm-vm: no log share at /var/log/swarm"; exit 0; }
# The last lines may still be on their way to journald: after a clean stop ($SERVICE_RESULT
# from systemd) wait for MARK, at most 5 s, then copy what there is.
end=$(($(date +%s) + 5))
while :; do
  journalctl --sync 2>/dev/null
  journalctl -q -b -u "$unit.service" -o short-precise >"/var/log/swarm/$unit.log.tmp"
  [ -z "$mark" ] || [ "${SERVICE_RESULT:-}" != success ] || grep -q "$mark" "/var/log/swarm/$unit.log.tmp" && break
  [ "$(date +%s)" -lt "$end" ] || break
  sleep 0.2
done
mv "/var/log/swarm/$unit.log.tmp" "/var/log/swarm/$unit.log"
for f in /var/log/hls-swarm/summary.json /run/hls-swarm-origin/access.log; do
  [ -e "$f" ] || continue
  cp "$f" "/var/log/swarm/$(basename "$f").tmp" && mv "/var/log/swarm/$(basename "$f").tmp" "/var/log/swarm/$(basename "$f")"
done
echo "hls-swarm-vm: $unit's log copied to the log share: $(ls /var/log/swarm | tr '\n' ' ')"
EOF

# The origin role: the bundled test origin (FFmpeg's live stream and nginx, under hls-swarm's
# supervisor) on 0.0.0.0:8080, with /nginx_status; its access log goes to the share on stop.
cat >"$rootfs/etc/default/hls-swarm-origin" <<EOF
# hls-swarm-origin.service (scripts/build-microvm.sh --origin-profile)
ORIGIN_PROFILE=$origin_profile
EOF
cat >"$rootfs/etc/systemd/system/hls-swarm-origin.service" <<'EOF'
[Unit]
Description=hls-swarm test origin (FFmpeg live stream + nginx on :8080)
ConditionKernelCommandLine=hlsswarm.role=origin
After=network-online.target hls-swarm-vm-setup.service var-log-swarm.mount
Wants=network-online.target

[Service]
Type=simple
EnvironmentFile=-/etc/default/hls-swarm-origin
ExecStart=/usr/local/bin/hls-swarm origin -profile ${ORIGIN_PROFILE} -addr 0.0.0.0 -port 8080 -dir /run/hls-swarm-origin
ExecStopPost=+/usr/local/sbin/hls-swarm-vm-collect hls-swarm-origin
# `hls-swarm origin` gives up when FFmpeg writes no playlist within 40 s, which a starved
# TCG guest can miss at boot.
Restart=on-failure
RestartSec=2
RuntimeDirectory=hls-swarm-origin
RuntimeDirectoryPreserve=yes
DynamicUser=yes
KillMode=mixed
TimeoutStopSec=15
LimitNOFILE=20000
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
EOF

# The test shell: a root shell on the virtio console, as the NixOS test driver's backdoor;
# only when run-microvm.sh --shell adds the console and hlsswarm.shell.
cat >"$rootfs/usr/local/sbin/hls-swarm-vm-shell" <<'EOF'
#!/bin/sh
i=0
while [ ! -c /dev/hvc0 ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
echo "hls-swarm-vm: test shell on /dev/hvc0"
exec <>/dev/hvc0 >&0 2>&0
# Set while the console is open: hvc resets its terminal settings at the first open.
stty raw -echo
exec /bin/sh
EOF
cat >"$rootfs/etc/systemd/system/hls-swarm-vm-shell.service" <<'EOF'
[Unit]
Description=Root shell on the virtio console for tests (run-microvm.sh --shell)
ConditionKernelCommandLine=hlsswarm.shell
DefaultDependencies=no
After=local-fs.target systemd-udevd.service
Before=shutdown.target
Conflicts=shutdown.target

[Service]
ExecStart=/usr/local/sbin/hls-swarm-vm-shell
StandardOutput=journal+console
# An interactive shell ignores SIGTERM: without this the poweroff waits 90 s for it.
KillSignal=SIGKILL
Restart=always
RestartSec=1

[Install]
WantedBy=sysinit.target
EOF
chmod 0755 "$rootfs"/usr/local/sbin/hls-swarm-vm-setup "$rootfs"/usr/local/sbin/hls-swarm-netem \
  "$rootfs"/usr/local/sbin/hls-swarm-vm-collect "$rootfs"/usr/local/sbin/hls-swarm-vm-shell

# nginx-light is there for `hls-swarm origin`/-test-origin, not as a system service.
in_root systemctl disable -q nginx.service
in_root systemctl enable -q systemd-networkd.service systemd-networkd-wait-online.service \
  hls-swarm.service hls-swarm-vm-report.service hls-swarm-vm-setup.service network-impairment.service \
  hls-swarm-origin.service hls-swarm-vm-shell.service

# What QEMU needs besides the disk, and the machine's size from the profile (as microvm.nix).
config_json=$(in_root sh -c 'set -a; . /etc/default/hls-swarm; set +a;
  exec /usr/local/bin/hls-swarm -print-config -json -profile default' </dev/null) ||
  fail "hls-swarm -print-config failed in the guest root filesystem"
estimated_mb=$(sed -n 's/.*"estimatedMemoryMB": *\([0-9]*\).*/\1/p' <<<"$config_json")
metrics_port=$(sed -n 's/^  "metricsPort": *\([0-9]*\).*/\1/p' <<<"$config_json")
[[ -n $estimated_mb && -n $metrics_port ]] || fail "cannot read estimatedMemoryMB/metricsPort from -print-config"
cp "$rootfs/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$rootfs/boot/initrd.img-$kver" "$out/initrd.img"
cat >"$out/vm.conf" <<EOF
# Written by scripts/build-microvm.sh; read by scripts/run-microvm.sh.
KERNEL_VERSION=$kver
MEMORY_MB=$((estimated_mb + 256))
VCPUS=2
GUEST_METRICS_PORT=$metrics_port
ROLE=$role
EOF

# Room for the journal in /run is RAM; the disk only needs a little slack for /var.
used_mb=$(du -sm "$rootfs" | cut -f1)
size_mb=$((used_mb + used_mb / 5 + 128))
step "writing $out/disk.img (${size_mb} MB ext4, ${used_mb} MB used)"
rm -f "$out/disk.img"
truncate -s "${size_mb}M" "$out/disk.img"
mkfs.ext4 -q -F -L hls-swarm-root -d "$rootfs" "$out/disk.img" ||
  fail "mkfs.ext4 -d failed"
step "done: kernel $kver, $(du -h --apparent-size "$out/disk.img" | cut -f1) disk.img" \
  "($(du -h "$out/disk.img" | cut -f1) allocated), memory $((estimated_mb + 256)) MB"
echo "run with:  scripts/run-microvm.sh --dir $out --origin 127.0.0.1:8080"
