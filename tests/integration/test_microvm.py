# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""The MicroVM without Nix, booted for real: scripts/build-microvm.sh (debootstrap'd Debian 12,
Debian's kernel and initramfs, ext4 disk from `mkfs.ext4 -d`) and scripts/run-microvm.sh (QEMU
`-M microvm` under TCG, 2 vCPUs, memory = estimated memory + 256 MB, user networking with
restrict=on, the metrics port forwarded to host loopback and the guest's 10.0.2.100:8080
forwarded to a test origin on the host).

The guest's hls-swarm.service (deploy/systemd, DynamicUser) reaches its 2 viewers, read on the
forwarded metrics port; the serial console shows deploy/sysctl/99-hls-swarm.conf applied and
the service's processes running as a non-root dynamic user; QMP `system_powerdown` (the ACPI
power button) makes the guest stop hls-swarm ("shutdown complete") and power off, and QEMU exits 0.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
import unittest

import harness
from harness import BIN, Proc, Workdir, free_port, metric, pid_alive, scrape, start_origin, wait_for

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
OUT = os.path.join(os.path.dirname(os.path.abspath(BIN)), "microvm")
SYSCTL_CONF = os.path.join(REPO, "deploy/sysctl/99-hls-swarm.conf")
# What the image's /etc/default/hls-swarm asks for (scripts/build-microvm.sh).
CLIENTS = 2
BOOT_TIMEOUT_S = 180  # QEMU start to target viewers; TCG is slow
# systemd's DynamicUser= range (SYSTEMD_DYNAMIC_UID_MIN..MAX).
DYNAMIC_UIDS = range(61184, 65520)
# The keys a Debian 12 kernel (6.1) must know; newer ones such as tcp_rto_min_us may be missing.
REQUIRED_KEYS = ("fs.file-max", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_tw_reuse",
                 "net.ipv4.tcp_fin_timeout", "net.core.rmem_max", "net.core.wmem_max",
                 "net.ipv4.tcp_rmem", "net.core.default_qdisc", "net.ipv4.tcp_congestion_control")


def prerequisites():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (debootstrap, chroot, image file ownership)")
    for tool in ("qemu-system-x86_64", "debootstrap", "mkfs.ext4", "socat", "ffmpeg"):
        if not harness.have(tool):
            raise unittest.SkipTest(f"needs {tool} (make setup)")
    if not harness.have("nginx") and not os.path.exists("/usr/sbin/nginx"):
        raise unittest.SkipTest("needs nginx for the host's test origin (make setup)")
    harness.require_free_disk(OUT, 3, "the MicroVM's root filesystem and disk image")


def build_microvm():
    """Builds OUT once; reused while disk.img is newer than the binary and what goes into it."""
    disk = os.path.join(OUT, "disk.img")
    inputs = [BIN, os.path.join(REPO, "scripts/build-microvm.sh"), SYSCTL_CONF,
              os.path.join(REPO, "deploy/systemd/hls-swarm.service")]
    if os.path.exists(disk) and all(os.path.getmtime(disk) > os.path.getmtime(i) for i in inputs):
        return None
    started = time.monotonic()
    p = subprocess.run([os.path.join(REPO, "scripts/build-microvm.sh"), "--binary", BIN, "--out", OUT],
                       capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise AssertionError(f"build-microvm.sh failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    took = time.monotonic() - started
    print(f"\nMicroVM built in {took:.0f} s:\n{p.stdout}", flush=True)
    return took


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:  # gone, or exiting between open and read (ESRCH): other tests run beside
        return ""


def qmp(path, command):
    """Runs one QMP command on QEMU's socket at path and returns its answer."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        f = s.makefile("rw")
        json.loads(f.readline())  # greeting
        answer = None
        for cmd in ("qmp_capabilities", command):
            f.write(json.dumps({"execute": cmd}) + "\n")
            f.flush()
            while True:  # events may come before the answer
                answer = json.loads(f.readline())
                if "return" in answer or "error" in answer:
                    break
        return answer


def forwarders(origin_port):
    """PIDs of the socat processes QEMU's guestfwd started for this test's origin port. libslirp
    spawns them detached (glib's double fork: their parent is init, not QEMU); they end when QEMU
    closes their socket, and are found here by their exact argv to make sure."""
    argv = ["socat", "STDIO", f"TCP:127.0.0.1:{origin_port}"]
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and read_text(f"/proc/{entry}/cmdline").split("\0")[:-1] == argv:
            out.append(int(entry))
    return out


def stop_vm(vm, origin_port):
    """Stops QEMU by PID, then any of its origin forwarders that outlived it."""
    vm.stop(10)
    wait_for(lambda: not any(pid_alive(p) for p in forwarders(origin_port)), 5)
    for pid in forwarders(origin_port):
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


class MicroVM(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prerequisites()
        cls.build_s = build_microvm()

    def vm_conf(self):
        conf = {}
        for line in read_text(os.path.join(OUT, "vm.conf")).splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                conf[key] = value
        return conf

    def test_boot_reach_viewers_and_power_off(self):
        workdir = self.enterContext(Workdir())
        origin_port = free_port()
        origin, _ = start_origin(workdir, profile="tiny", port=origin_port)
        self.addCleanup(origin.stop)
        memory_mb = self.check_memory()

        metrics_port = free_port()
        serial = os.path.join(workdir, "serial.log")
        qmp_sock = os.path.join(workdir, "qmp.sock")
        # TMPDIR: QEMU's snapshot overlay lands in the workdir, which the test removes.
        vm = Proc([os.path.join(REPO, "scripts/run-microvm.sh"), "--dir", OUT, "--origin",
                   f"127.0.0.1:{origin_port}", "--metrics-port", str(metrics_port), "--serial", serial,
                   "--qmp", qmp_sock, "--snapshot"], workdir, "qemu", env={**os.environ, "TMPDIR": workdir})
        self.addCleanup(stop_vm, vm, origin_port)
        started = time.monotonic()
        self.check_qemu_argv(vm, memory_mb, metrics_port)
        seen = self.wait_for_viewers(vm, serial, f"http://127.0.0.1:{metrics_port}/metrics", started)

        # The report unit: sysctl values, then the service's user and processes.
        wait_for(lambda: "hls-swarm-vm: process" in read_text(serial) or "no FFmpeg viewers" in read_text(serial),
                 60, 1.0)
        log = read_text(serial)
        self.assertIn("Finished systemd-sysctl.service", log)
        self.check_sysctl(log)
        self.check_non_root(log)

        # Clean shutdown: the ACPI power button, then hls-swarm's "shutdown complete" and poweroff.
        answer = qmp(qmp_sock, "system_powerdown")
        self.assertIn("return", answer, answer)
        powerdown = time.monotonic()
        code = vm.wait(90)
        stop_s = time.monotonic() - powerdown
        log = read_text(serial)
        self.assertEqual(code, 0, f"QEMU did not exit 0 after system_powerdown ({code}):\n{log[-4000:]}")
        self.assertTrue(wait_for(lambda: not any(pid_alive(p) for p in forwarders(origin_port)), 10),
                        f"guestfwd's socat outlived QEMU: {forwarders(origin_port)}")
        self.assertIn("shutdown complete", log, log[-4000:])
        self.assertIn("Stopped hls-swarm.service", log)
        self.assertIn("reboot: Power down", log, "QEMU exited without the guest powering off")
        self.assertLess(log.index("shutdown complete"), log.index("reboot: Power down"))

        disk = os.stat(os.path.join(OUT, "disk.img"))
        guest_boot = re.search(r"Startup finished in (.*?)\.\r?$", log, re.M)
        build = f"built in {self.build_s:.0f} s" if self.build_s else "reused"
        print(f"\nmicrovm ({build}; disk.img {disk.st_size / 2**20:.0f} MB, {disk.st_blocks * 512 / 2**20:.0f} MB "
              f"allocated; {memory_mb} MB, 2 vCPUs, TCG): systemd boot finished {seen['boot']:.1f} s after QEMU start "
              f"(guest: {guest_boot[1] if guest_boot else '?'}), hls-swarm.service started at "
              f"{seen.get('service', float('nan')):.1f} s, {CLIENTS} viewers active at {seen['target']:.1f} s; "
              f"powerdown to QEMU exit {stop_s:.1f} s", flush=True)

    def check_memory(self):
        """vm.conf's memory is the profile's estimate + 256 MB, as in nix/swarm-client/microvm.nix."""
        conf = self.vm_conf()
        env = {**os.environ, "CLIENTS": str(CLIENTS), "RAMP_RATE": "2"}
        printed = json.loads(subprocess.run([BIN, "-print-config", "-json", "-profile", "default"], env=env,
                                            capture_output=True, text=True, check=True).stdout)
        memory_mb = printed["derived"]["estimatedMemoryMB"] + 256
        self.assertEqual(int(conf["MEMORY_MB"]), memory_mb)
        self.assertEqual(conf["VCPUS"], "2")
        return memory_mb

    def check_qemu_argv(self, vm, memory_mb, metrics_port):
        def cmdline():  # run-microvm.sh execs QEMU: same PID, new argv
            argv = read_text(f"/proc/{vm.pid}/cmdline").split("\0")
            return argv if os.path.basename(argv[0]) == "qemu-system-x86_64" else None

        argv = wait_for(cmdline, 10, 0.1) or read_text(f"/proc/{vm.pid}/cmdline").split("\0")
        self.assertEqual(os.path.basename(argv[0]), "qemu-system-x86_64", argv)
        self.assertEqual(argv[argv.index("-m") + 1], str(memory_mb))
        self.assertEqual(argv[argv.index("-smp") + 1], "2")
        self.assertIn("microvm", argv[argv.index("-M") + 1])
        netdev = argv[argv.index("-netdev") + 1]
        self.assertIn("restrict=on", netdev)
        self.assertIn(f"hostfwd=tcp:127.0.0.1:{metrics_port}-:", netdev)
        self.assertIn("tsc_early_khz=2000000", argv[argv.index("-append") + 1])

    def wait_for_viewers(self, vm, serial, url, started):
        """Waits for the boot, then the target viewers; returns when each happened (s after start)."""
        seen = {}

        def progress():
            log = read_text(serial)
            if "boot" not in seen and "Startup finished in" in log:
                seen["boot"] = time.monotonic() - started
            if "service" not in seen and "Started hls-swarm.service" in log:
                seen["service"] = time.monotonic() - started
            return vm.p.poll() is not None or metric(scrape(url), "hlsswarm_clients_active") == CLIENTS

        wait_for(progress, BOOT_TIMEOUT_S, 1.0)
        seen["target"] = time.monotonic() - started
        log = read_text(serial)
        self.assertIsNone(vm.p.poll(), f"QEMU exited ({vm.p.returncode}): {vm.stderr()[-2000:]}\n{log[-3000:]}")
        active = metric(scrape(url), "hlsswarm_clients_active")
        self.assertEqual(active, CLIENTS, f"active viewers {active} after {BOOT_TIMEOUT_S} s:\n{log[-4000:]}")
        self.assertIn("boot", seen, log[-3000:])
        return seen

    def check_sysctl(self, log):
        want = {k: v for k, v, _ in harness.sysctl_entries(SYSCTL_CONF)}
        got, unknown = {}, []
        for m in re.finditer(r"hls-swarm-vm: sysctl (\S+) (?:= (.*?)|(unknown) to this kernel)\r?$", log, re.M):
            if m[3]:
                unknown.append(m[1])
            else:
                got[m[1]] = " ".join(m[2].split())
        self.assertEqual(set(got) | set(unknown), set(want), "the report did not cover the file")
        for key in REQUIRED_KEYS:
            self.assertIn(key, got, f"{key} missing in the guest kernel")
        for key, value in got.items():
            self.assertEqual(value, want[key], f"{key} in the guest")
        if unknown:
            print(f"\nkeys the guest kernel does not have (skipped by systemd-sysctl): {', '.join(unknown)}")

    def check_non_root(self, log):
        self.assertIn("hls-swarm-vm: service User=hls-swarm DynamicUser=yes", log)
        procs = re.findall(r"hls-swarm-vm: process (\d+) uid=(\d+) comm=(\S+)", log)
        self.assertIn("hls-swarm", {comm for _, _, comm in procs}, procs)
        self.assertGreaterEqual([comm for _, _, comm in procs].count("ffmpeg"), CLIENTS, procs)
        for pid, uid, comm in procs:
            self.assertIn(int(uid), DYNAMIC_UIDS, f"{comm} ({pid}) runs as uid {uid}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
