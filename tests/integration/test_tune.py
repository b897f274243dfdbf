# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""`hls-swarm tune --apply`, run only inside a fresh network namespace, never on the host.

`tune --apply` writes every key of deploy/sysctl/99-hls-swarm.conf whose live value falls short,
straight to /proc/sys (src/app_tune.cc). A network namespace gives it a private copy of the
per-namespace net.* keys, but not of the global ones: fs.file-max (and any global key a kernel
shows there) would be written for the whole host. So the binary runs in a sandbox:

    ip netns exec NS  unshare --mount --propagation private  sh -ec '
        bind /proc/sys onto itself read-only; bind /proc/sys/net onto itself read-write; exec tune'

Before tune runs, the test opens every global key write-only inside the sandbox (no write is made)
and requires EROFS; if the sandbox does not hold, tune is not run at all.

Checked: every key of the file is reported once; each per-namespace key the namespace lets root
write is applied and reads back as the file's value (or was already good and is unchanged);
keys that are global, read-only in a child namespace or absent are never reported "applied"
and never change; the summary and exit code match the table; and the host's value of every key
is the same before and after.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import BIN, sysctl_entries

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SYSCTL_CONF = os.path.join(ROOT, "deploy/sysctl/99-hls-swarm.conf")
ABSENT_REASON = "skipped: no such key here (not in this kernel, or hidden in this network namespace)"

# Runs "$@" with /proc/sys read-only except /proc/sys/net. `ip netns exec` already gives a private
# mount namespace; the unshare makes that explicit and keeps propagation private.
SANDBOX = """
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,rw /proc/sys/net
if [ -n "$HS_FAKE_RO" ]; then  # SOURCE=TARGET: a file shown read-only in place of TARGET
  mount --bind "${HS_FAKE_RO%%=*}" "${HS_FAKE_RO#*=}"
  mount -o remount,bind,ro "${HS_FAKE_RO#*=}"
fi
exec "$@"
"""

# Prints {path: [exists, owner-writable, value]} for each path in argv, and the errno of opening
# it write-only when HS_OPEN_CHECK is set (the file is closed again without a write).
PROBE = r"""
import errno, json, os, sys
out = {}
for p in sys.argv[1:]:
    try:
        st = os.stat(p)
        with open(p) as f:
            value = " ".join(f.read().split())
    except OSError:
        out[p] = [False, False, None, None]
        continue
    opened = None
    if os.environ.get("HS_OPEN_CHECK"):
        try:
            os.close(os.open(p, os.O_WRONLY | os.O_CLOEXEC))
            opened = "opened"
        except OSError as e:
            opened = errno.errorcode.get(e.errno, str(e.errno))
    out[p] = [True, bool(st.st_mode & 0o200), value, opened]
print(json.dumps(out))
"""


def run(cmd, env=None, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)




def proc_path(key):
    return "/proc/sys/" + key.replace(".", "/")


def host_values(keys):
    out = {}
    for k in keys:
        try:
            with open(proc_path(k)) as f:
                out[k] = " ".join(f.read().split())
        except OSError:
            out[k] = None
    return out


def host_proc_sys_mounts():
    """The host's mounts at or under /proc/sys (the sandbox must add none)."""
    with open("/proc/self/mountinfo") as f:
        return sorted(line.split()[4] for line in f if line.split()[4].startswith("/proc/sys"))


def parse_tune_table(text):
    """{key: state} from tune's table; state is the last column ('ok', 'applied', 'skipped: why')."""
    rows = {}
    for line in text.splitlines():
        if not re.match(r"^(fs|net|vm|kernel)\.\S+\s", line):
            continue
        key = line.split()[0]
        if " skipped: " in line:
            state = "skipped: " + line.split(" skipped: ", 1)[1].strip()
        else:
            state = line.split()[-1]
        rows.setdefault(key, []).append(state)
    return rows


class TuneApplyNetnsTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root for network and mount namespaces")
        for tool in ("ip", "unshare", "mount"):
            if shutil.which(tool) is None:
                self.skipTest(f"needs {tool}")
        self.entries = [(k, v) for k, v, _ in sysctl_entries(SYSCTL_CONF)]
        self.keys = [k for k, _ in self.entries]
        self.ns = f"hs-tune-{os.getpid()}"
        r = run(["ip", "netns", "add", self.ns])
        if r.returncode != 0:
            self.skipTest(f"cannot create a network namespace: {r.stderr.strip()}")
        self.addCleanup(run, ["ip", "netns", "del", self.ns])

    def sandboxed(self, argv, fake_ro=""):
        env = dict(os.environ, HS_FAKE_RO=fake_ro)
        return run(["ip", "netns", "exec", self.ns, "unshare", "--mount", "--propagation", "private",
                    "sh", "-ec", SANDBOX, "sh"] + argv, env=env)

    def probe(self, open_check=False, fake_ro=""):
        """{key: (exists, writable, value, open_errno)} as seen inside the sandbox."""
        env_argv = ["env", f"HS_OPEN_CHECK={'1' if open_check else ''}", sys.executable, "-c", PROBE]
        r = self.sandboxed(env_argv + [proc_path(k) for k in self.keys], fake_ro)
        self.assertEqual(r.returncode, 0, r.stderr)
        by_path = json.loads(r.stdout)
        return {k: tuple(by_path[proc_path(k)]) for k in self.keys}

    def assert_sandbox_holds(self, fake_ro=""):
        """Every existing key outside net.* must refuse a write-only open with EROFS."""
        seen = self.probe(open_check=True, fake_ro=fake_ro)
        for key, (exists, _, _, opened) in seen.items():
            if exists and not key.startswith("net."):
                self.assertEqual(opened, "EROFS", f"sandbox does not protect the host's {key}; "
                                 "tune --apply was not run")
        return seen

    def apply(self, fake_ro=""):
        r = self.sandboxed([BIN, "tune", "--apply"], fake_ro)
        print(f"\n$ ip netns exec {self.ns} <sandbox> hls-swarm tune --apply   (exit {r.returncode})")
        print(r.stdout.rstrip())
        if r.stderr.strip():
            print("stderr:", r.stderr.rstrip())
        rows = parse_tune_table(r.stdout)
        self.assertEqual(sorted(rows), sorted(self.keys), "tune's keys differ from the sysctl file")
        for key, states in rows.items():
            self.assertEqual(len(states), 1, f"{key} reported {len(states)} times")
        states = {k: v[0] for k, v in rows.items()}
        applied = sum(1 for s in states.values() if s == "applied")
        failed = sum(1 for s in states.values() if s.startswith("skipped:") and s != ABSENT_REASON)
        self.assertIn(f"applied {applied}, could not apply {failed} ", r.stdout)
        self.assertEqual(r.returncode, 1 if failed else 0, r.stderr)
        return states

    def test_apply_sets_per_namespace_keys_and_leaves_host_alone(self):
        host_before = host_values(self.keys)
        mounts_before = host_proc_sys_mounts()
        before = self.assert_sandbox_holds()
        allowed_cc = (self.ns_value("net.ipv4.tcp_allowed_congestion_control") or "").split()

        states = self.apply()
        after = self.probe()
        want = dict(self.entries)

        per_ns = []
        for key in self.keys:
            exists, writable, old, _ = before[key]
            state, new = states[key], after[key][2]
            with self.subTest(key=key, state=state):
                if not exists:
                    self.assertEqual(state, ABSENT_REASON)
                    continue
                if not key.startswith("net.") or not writable:
                    # Global (written through the read-only /proc/sys) or read-only in a child
                    # namespace: never applied, never changed.
                    self.assertIn(state.split(":")[0], ("ok", "skipped"))
                    self.assertEqual(new, old)
                    continue
                per_ns.append(key)
                if state == "applied":
                    self.assertEqual(new, want[key], "applied, but reads back differently")
                elif state == "ok":
                    self.assertEqual(new, old)
                else:
                    # Only a child namespace's restriction of congestion control may refuse.
                    self.assertEqual(key, "net.ipv4.tcp_congestion_control", state)
                    self.assertNotIn(want[key], allowed_cc, state)
                    self.assertEqual(new, old)
        print(f"per-namespace writable keys: {len(per_ns)}, applied "
              f"{sum(states[k] == 'applied' for k in per_ns)}")
        self.assertGreaterEqual(len(per_ns), 15)

        # tune's own check now finds every key it applied good.
        r = self.sandboxed([BIN, "tune", "--print"])
        self.assertEqual(r.returncode, 0, r.stderr)
        recheck = {k: v[0] for k, v in parse_tune_table(r.stdout).items()}
        for key, state in states.items():
            if state == "applied":
                self.assertEqual(recheck[key], "ok", f"{key} after apply")

        self.assertEqual(host_values(self.keys), host_before, "the host's sysctls changed")
        self.assertEqual(host_proc_sys_mounts(), mounts_before)

    def ns_value(self, key):
        r = run(["ip", "netns", "exec", self.ns, "cat", proc_path(key)])
        return " ".join(r.stdout.split()) if r.returncode == 0 else None

    def test_global_key_that_differs_is_reported_not_applied(self):
        """fs.file-max shown as 1024 (a read-only file bound over it in the sandbox): tune must try,
        fail with the reason, count it, exit 1 and leave the host's value alone."""
        host_before = host_values(self.keys)
        mounts_before = host_proc_sys_mounts()
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "file-max")
            with open(fake, "w") as f:
                f.write("1024\n")
            fake_ro = f"{fake}={proc_path('fs.file-max')}"
            seen = self.assert_sandbox_holds(fake_ro)
            self.assertEqual(seen["fs.file-max"][2], "1024")
            states = self.apply(fake_ro)
            with open(fake) as f:
                self.assertEqual(f.read(), "1024\n")
        self.assertEqual(states["fs.file-max"], "skipped: Read-only file system")
        self.assertEqual(host_values(self.keys), host_before, "the host's sysctls changed")
        self.assertEqual(host_proc_sys_mounts(), mounts_before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
