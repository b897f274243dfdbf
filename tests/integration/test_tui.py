# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Acceptance: the live dashboard in a real terminal (tmux, 100x30).

hls-swarm runs inside a detached tmux session on its own server socket; the test reads the
screen with `capture-pane`, presses keys with `send-keys`, resizes the window to 80x24, quits
with `q` and checks the exit code and the log file named in the dashboard's footer.
"""
import os
import re
import shlex
import signal
import subprocess
import time
import unittest

from harness import BIN, Workdir, children_of, have, pid_alive, wait_for

SESSION = "hs"
PANELS = ("Viewers", "Requests and throughput", "Latency (ms)", "HTTP, errors and restarts",
          "Throughput", "ramping", "active", "TTFB p50", "bit/s", "q quit")


class Tmux:
    """A tmux server of our own (-L socket), so nothing touches the user's sessions."""

    def __init__(self, socket_name):
        self.socket = socket_name
        self.env = dict(os.environ, LC_ALL="C.UTF-8")

    def run(self, *args, check=True):
        r = subprocess.run(["tmux", "-f", "/dev/null", "-L", self.socket, *args], env=self.env,
                           capture_output=True, timeout=10)
        if check and r.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {r.stderr.decode(errors='replace')}")
        return r

    def capture(self):
        r = self.run("capture-pane", "-p", "-t", SESSION, check=False)
        return r.stdout.decode("utf-8", errors="replace") if r.returncode == 0 else ""

    def keys(self, text):
        self.run("send-keys", "-t", SESSION, "-l", text)

    def alive(self):
        return self.run("has-session", "-t", SESSION, check=False).returncode == 0

    def kill(self):
        self.run("kill-server", check=False)


def target_of(screen):
    m = re.search(r"target (\d+)", screen)
    return int(m.group(1)) if m else None


def elapsed_of(screen):
    m = re.search(r"elapsed (\S+)", screen)
    return m.group(1) if m else None


def row_starting(screen, word):
    for line in screen.splitlines():
        if line.startswith(word):
            return line
    return None


class DashboardTest(unittest.TestCase):
    def setUp(self):
        for tool in ("tmux", "ffmpeg"):
            if not have(tool):
                self.skipTest(f"needs {tool}")
        if not have("nginx") and not os.path.exists("/usr/sbin/nginx"):
            self.skipTest("needs nginx (the bundled test origin)")
        if not os.path.exists(BIN):
            self.fail(f"no hls-swarm binary at {BIN}")

    def test_dashboard_in_a_real_terminal(self):
        with Workdir() as wd:
            tmux = Tmux(f"hs-tui-{os.getpid()}")
            rc_path = os.path.join(wd, "rc")
            argv = [BIN, "-test-origin", "-test-origin-profile", "tiny", "-clients", "5",
                    "-ramp-rate", "5", "-metrics-port", "0"]
            # TMPDIR: the log file and the origin's directory go with the workdir.
            command = (f"cd {shlex.quote(wd)} && env TMPDIR={shlex.quote(wd)} LC_ALL=C.UTF-8 "
                       f"{' '.join(shlex.quote(a) for a in argv)}; echo $? > {shlex.quote(rc_path)}")
            pane_pid = None
            try:
                tmux.run("new-session", "-d", "-s", SESSION, "-x", "100", "-y", "30", command)
                pane_pid = int(tmux.run("display-message", "-p", "-t", SESSION,
                                        "#{pane_pid}").stdout.decode().strip())
                self.check_running_dashboard(tmux, wd)
                log_path = self.check_keys(tmux)
                self.check_resize(tmux)
                self.check_quit(tmux, rc_path, log_path)
            except BaseException:
                print("last screen:\n" + tmux.capture())
                raise
            finally:
                kids = children_of(pane_pid) if pane_pid else []
                tmux.kill()
                self.stop_leftovers(pane_pid, kids)
            self.assertFalse(tmux.alive(), "tmux server still running")

    def check_running_dashboard(self, tmux, wd):
        def ready():
            s = tmux.capture()
            return s if all(p in s for p in PANELS) and row_starting(s, "segment") else None

        first = wait_for(ready, 120, 0.5)
        self.assertTrue(first, f"dashboard never showed every panel:\n{tmux.capture()}\n"
                               f"files: {os.listdir(wd)}")
        lines = first.splitlines()
        self.assertTrue(lines[0].startswith("hls-swarm  http://"), lines[0])
        self.assertIn("profile default", lines[0])  # the load profile, not the origin's
        self.assertEqual(target_of(first), 5, first)
        self.assertLessEqual(len(lines), 30)
        self.assertTrue(all(len(l) <= 100 for l in lines), first)
        self.assertIn("reused", first)  # the wide requests table (100 columns and more)
        # Viewers come up (ramp at 5/s) and segments flow through the tap.
        active = wait_for(lambda: re.search(r"active ([1-9]\d*)", tmux.capture()), 60, 0.5)
        self.assertTrue(active, tmux.capture())
        a = tmux.capture()
        time.sleep(2.0)
        b = tmux.capture()
        self.assertNotEqual(elapsed_of(a), elapsed_of(b), f"{a}\n---\n{b}")
        self.assertNotEqual(row_starting(a, "total"), row_starting(b, "total"), f"{a}\n---\n{b}")
        self.assertRegex(row_starting(b, "segment") or "", r"segment\s+\d+\.\d")
        self.assertRegex(b, r"HTTP\s+20[06] \d+")  # FFmpeg asks for Range: 206

    def check_keys(self, tmux):
        screen = tmux.capture()
        m = re.search(r"log (/\S+\.log)", screen)
        self.assertTrue(m, f"footer names no log file:\n{screen}")
        log_path = m.group(1)
        self.assertTrue(os.path.exists(log_path), log_path)

        tmux.keys("+")
        self.assertTrue(wait_for(lambda: (target_of(tmux.capture()) or 0) > 5, 10),
                        f"+ did not raise the target:\n{tmux.capture()}")
        tmux.keys("p")
        self.assertTrue(wait_for(lambda: "RAMP PAUSED" in tmux.capture(), 10),
                        f"p did not pause:\n{tmux.capture()}")
        tmux.keys("p")
        self.assertTrue(wait_for(lambda: "PAUSED" not in tmux.capture(), 10),
                        f"p did not resume:\n{tmux.capture()}")
        tmux.keys("?")
        self.assertTrue(wait_for(lambda: "show / hide this help" in tmux.capture(), 10),
                        tmux.capture())
        tmux.keys("?")
        self.assertTrue(wait_for(lambda: "show / hide this help" not in tmux.capture(), 10),
                        tmux.capture())
        return log_path

    def check_resize(self, tmux):
        tmux.run("resize-window", "-t", SESSION, "-x", "80", "-y", "24")

        def redrawn():
            s = tmux.capture()
            lines = s.splitlines()
            ok = (lines and lines[0].startswith("hls-swarm  ") and len(lines) <= 24 and
                  all(len(l) <= 80 for l in lines) and "Viewers" in s)
            return s if ok else None

        self.assertTrue(wait_for(redrawn, 10, 0.25), f"no clean redraw at 80x24:\n{tmux.capture()}")
        time.sleep(1.0)  # two more redraws: still clean
        screen = tmux.capture()
        lines = screen.splitlines()
        self.assertLessEqual(len(lines), 24, screen)
        for line in lines:
            self.assertLessEqual(len(line), 80, f"{line!r}\n{screen}")
        self.assertEqual(sum(1 for l in lines if l.startswith("hls-swarm  ")), 1, screen)
        for needle in ("Viewers", "segment", "TTFB p50", "HTTP", "log "):
            self.assertIn(needle, screen)
        self.assertNotIn("reused", screen)  # laid out again for 80 columns, not left over
        self.assertTrue(any("Viewers" in l for l in lines[1:4]), screen)
        self.assertIn("log ", lines[-1] if lines else "", screen)

    def check_quit(self, tmux, rc_path, log_path):
        tmux.keys("q")
        def exit_code():
            try:
                with open(rc_path) as f:
                    return f.read().strip()
            except FileNotFoundError:
                return ""

        self.assertTrue(wait_for(exit_code, 60, 0.5),
                        f"hls-swarm did not exit after q:\n{tmux.capture()}")
        self.assertEqual(exit_code(), "0")
        with open(log_path, errors="replace") as f:
            log = f.read()
        self.assertIn("shutdown complete", log, log[-3000:])
        self.assertTrue(wait_for(lambda: not tmux.alive(), 10), "the session outlived hls-swarm")

    def stop_leftovers(self, pane_pid, kids):
        """After kill-server (SIGHUP to the pane): anything of ours still alive goes by PID."""
        if pane_pid is None:
            return
        if wait_for(lambda: not any(pid_alive(p) for p in [pane_pid] + kids), 15, 0.2):
            return
        for pid in [pane_pid] + kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    unittest.main(verbosity=2)
