# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 4, systemd and kernel tuning: the unit verifies cleanly, its `systemd-analyze security`
exposure is 4.0 or better, and deploy/sysctl/99-hls-swarm.conf applied with systemd-sysctl inside a
fresh network namespace sets every per-namespace key it lists (the host is never touched)."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, sysctl_entries

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
UNIT = os.path.join(ROOT, "deploy/systemd/hls-swarm.service")
ENV_EXAMPLE = os.path.join(ROOT, "deploy/systemd/hls-swarm.env")
SYSCTL_CONF = os.path.join(ROOT, "deploy/sysctl/99-hls-swarm.conf")
SYSTEMD_SYSCTL = "/lib/systemd/systemd-sysctl"
MAX_EXPOSURE = 4.0


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def unit_settings(path):
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";", "[")):
                continue
            k, v = line.split("=", 1)
            settings.setdefault(k.strip(), []).append(v.strip())
    return settings




def proc_path(key):
    return "/proc/sys/" + key.replace(".", "/")


def norm(v):
    return " ".join(v.split())


class SystemdUnitTest(unittest.TestCase):
    def setUp(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed")

    def test_unit_contents(self):
        s = unit_settings(UNIT)
        self.assertEqual(s["Restart"], ["on-failure"])
        # LimitNOFILE = recommendedFdLimit of the default profile = 50*15+1000.
        self.assertEqual(s["LimitNOFILE"], ["1750"])
        for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "DynamicUser"):
            self.assertEqual(s[key], ["yes"], key)
        self.assertEqual(s["ProtectSystem"], ["strict"])
        self.assertEqual(s["EnvironmentFile"], ["-/etc/default/hls-swarm"])
        self.assertEqual(s["KillSignal"], ["SIGTERM"])
        exec_start = s["ExecStart"][0].split()
        self.assertEqual(exec_start[0], "/usr/local/bin/hls-swarm")
        self.assertIn("-tui=false", exec_start)
        self.assertEqual(exec_start[-1], "${STREAM_URL}")
        with open(ENV_EXAMPLE) as f:
            self.assertRegex(f.read(), r"(?m)^STREAM_URL=https?://")

    def test_execstart_flags_accepted(self):
        exec_start = unit_settings(UNIT)["ExecStart"][0].split()
        env = {k: v for k, v in os.environ.items()
               if k not in ("STREAM_URL", "CLIENTS", "RAMP_RATE", "METRICS_PORT", "LOG_LEVEL",
                            "VARIANT", "EXTRA_ARGS")}
        argv = [BIN] + [a.replace("${STREAM_URL}", "http://127.0.0.1:8080/s.m3u8")
                        for a in exec_start[1:]] + ["-print-config", "-json"]
        r = run(argv, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"recommendedFdLimit": 1750', r.stdout)

    def test_verify_has_no_warnings(self):
        with tempfile.TemporaryDirectory() as d:
            with open(UNIT) as f:
                text = f.read().replace("/usr/local/bin/hls-swarm", os.path.abspath(BIN))
            path = os.path.join(d, "hls-swarm.service")
            with open(path, "w") as f:
                f.write(text)
            r = run(["systemd-analyze", "verify", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify warned")

    def test_security_exposure(self):
        r = run(["systemd-analyze", "security", "--offline=yes", "--no-pager", UNIT])
        m = re.search(r"Overall exposure level for hls-swarm\.service:\s*([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        exposure = float(m.group(1))
        print(f"\nsystemd-analyze security exposure: {exposure}")
        self.assertLessEqual(exposure, MAX_EXPOSURE)


class SysctlNetnsTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root for network namespaces")
        if shutil.which("ip") is None:
            self.skipTest("needs iproute2 (ip)")
        if not os.access(SYSTEMD_SYSCTL, os.X_OK):
            self.skipTest(f"{SYSTEMD_SYSCTL} not found")
        self.ns = f"hsw-sysctl-{os.getpid()}"
        r = run(["ip", "netns", "add", self.ns])
        if r.returncode != 0:
            self.skipTest(f"cannot create a network namespace: {r.stderr.strip()}")
        self.addCleanup(run, ["ip", "netns", "del", self.ns])

    def in_ns(self, *cmd):
        return run(["ip", "netns", "exec", self.ns, *cmd])

    def ns_read(self, key):
        r = self.in_ns("cat", proc_path(key))
        return norm(r.stdout) if r.returncode == 0 else None

    def host_read(self, key):
        try:
            with open(proc_path(key)) as f:
                return norm(f.read())
        except OSError:
            return None

    def test_per_namespace_keys_are_set(self):
        entries = sysctl_entries(SYSCTL_CONF)
        self.assertGreaterEqual(len(entries), 25)
        host_before = {k: self.host_read(k) for k, _, _ in entries}

        # Probe every key inside the namespace: present and writable there means per-namespace.
        probe = self.in_ns("sh", "-c", "for p in \"$@\"; do if [ ! -e \"$p\" ]; then echo absent; "
                           "elif [ -w \"$p\" ]; then echo rw; else echo ro; fi; done", "sh",
                           *[proc_path(k) for k, _, _ in entries])
        self.assertEqual(probe.returncode, 0, probe.stderr)
        states = probe.stdout.split()
        self.assertEqual(len(states), len(entries))
        allowed_cc = (self.ns_read("net.ipv4.tcp_allowed_congestion_control") or "").split()

        apply, skipped = [], {}
        for (key, value, _), state in zip(entries, states):
            if not key.startswith("net."):
                skipped[key] = "not per network namespace (global)"
            elif state == "absent":
                skipped[key] = "not per network namespace here, or unknown to this kernel"
            elif state == "ro":
                skipped[key] = "read-only in a child network namespace (follows the host)"
            elif key == "net.ipv4.tcp_congestion_control" and value not in allowed_cc:
                skipped[key] = (f"{value} not in the namespace's tcp_allowed_congestion_control "
                                f"({' '.join(allowed_cc)})")
            else:
                apply.append((key, value))
        print(f"\nsysctl keys applied in netns: {len(apply)}; skipped:")
        for k, why in skipped.items():
            print(f"  skipped {k}: {why}")
        self.assertGreaterEqual(len(apply), 15)

        # Only the per-namespace keys go to systemd-sysctl: never a global key, never the host.
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "99-hls-swarm-netns.conf")
            with open(conf, "w") as f:
                f.writelines(f"{k} = {v}\n" for k, v in apply)
            r = self.in_ns(SYSTEMD_SYSCTL, conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Couldn't write", r.stderr)

        for key, value in apply:
            with self.subTest(key=key):
                self.assertEqual(self.ns_read(key), value)

        host_after = {k: self.host_read(k) for k, _, _ in entries}
        self.assertEqual(host_after, host_before, "the host's sysctls changed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
