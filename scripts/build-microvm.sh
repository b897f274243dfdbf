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
#      applied sysctl values and the service's uids to the console;
#   3. write OUT/disk.img (ext4, `mkfs.ext4 -d`, no loop mount), OUT/vmlinuz, OUT/initrd.img
#      and OUT/vm.conf (memory = the profile's estimated memory + 256 MB, 2 vCPUs).
#
# Usage: scripts/build-microvm.sh [--binary PATH] [--out DIR] [--env FILE]
#   --binary  the hls-swarm to put in the VM (default: build/hls-swarm)
#   --out     work and output directory (default: build/microvm)
#   --env     the guest's /etc/default/hls-swarm (default: the stream at
#             http://10.0.2.100:8080/stream.m3u8, which run-microvm.sh --origin forwards to
#             the host, and 2 viewers)
# Needs root, debootstrap and e2fsprogs: `make setup` installs them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$repo/build/hls-swarm
out=$repo/build/microvm
env_file=
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

while (($#)); do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --env) env_file=$2; shift 2 ;;
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
# 10.0.2.100:8080 is QEMU's guestfwd: scripts/run-microvm.sh --origin HOST:PORT connects it to
# an origin on the host; nothing else outside the VM is reachable (restrict=on).
STREAM_URL=http://10.0.2.100:8080/stream.m3u8
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
Type=ether

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
After=systemd-sysctl.service hls-swarm.service

[Service]
# exec, not oneshot: it waits for the viewers and must not hold up multi-user.target.
Type=exec
ExecStart=/usr/local/sbin/hls-swarm-vm-report
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF
# nginx-light is there for `hls-swarm origin`/-test-origin, not as a system service.
in_root systemctl disable -q nginx.service
in_root systemctl enable -q systemd-networkd.service systemd-networkd-wait-online.service \
  hls-swarm.service hls-swarm-vm-report.service

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
