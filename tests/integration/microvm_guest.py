# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Helpers for the MicroVM tests that run commands in the guest: a VM started by
scripts/run-microvm.sh (by PID, -snapshot, its console in a file) and the root shell that
`run-microvm.sh --shell SOCKET` puts on the guest's virtio console (as the NixOS test driver's
backdoor): GuestShell.run("systemctl stop hls-swarm") returns (exit code, output)."""
import os
import secrets
import socket
import time

from harness import Proc, pid_alive, wait_for
from test_microvm import OUT, REPO, forwarders, qmp, read_text


# QEMU start to a guest's shell, stream or viewers: TCG on a busy 2-core host can take minutes.
VM_TIMEOUT_S = 300


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class GuestShell:
    """The guest's root shell on a unix socket; commands are framed by random markers."""

    def __init__(self, path, timeout):
        self.sock = None
        deadline = time.monotonic() + timeout
        while self.sock is None:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                self.sock = s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise AssertionError(f"no shell socket {path} after {timeout} s")
                time.sleep(0.2)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _read_until(self, marker, deadline, resend=None):
        last = 0.0
        while marker not in self.buf:
            now = time.monotonic()
            if now > deadline:
                return False
            if resend and now - last > 3:  # the guest may not have opened its console yet
                self.sock.sendall(resend)
                last = now
            self.sock.settimeout(max(0.05, min(1.0, deadline - now)))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise AssertionError("the guest shell's socket closed")
            self.buf += chunk
        return True

    def wait_ready(self, timeout):
        """True once the guest's shell answers (it starts early in the boot)."""
        token = secrets.token_hex(6)
        ok = self._read_until(f"ready-{token}".encode(), time.monotonic() + timeout,
                              resend=f"echo ready-''{token}\n".encode())
        self.buf = b""
        return ok

    def run(self, command, timeout=60):
        """Runs command in the guest's sh; returns (exit code, output). None as code on timeout."""
        token = secrets.token_hex(6)
        begin, end = f"<<{token}", f"{token}>>"
        # The markers are printed from pieces, so an echo of the command line never matches them.
        self.sock.sendall(f"printf '%s%s\\n' '<<' {token}; {{ {command}\n}} </dev/null 2>&1; "
                          f"printf '\\n%s %s%s\\n' $? {token} '>>'\n".encode())
        if not self._read_until(end.encode(), time.monotonic() + timeout):
            return None, self.buf.decode(errors="replace")
        text = self.buf.decode(errors="replace").replace("\r", "")
        self.buf = b""
        body = text[text.find(begin + "\n") + len(begin) + 1:text.rfind(end)] if begin + "\n" in text else text
        lines = body.rstrip(" ").rsplit("\n", 1)
        out, code = (lines[0], lines[1]) if len(lines) == 2 else ("", lines[0])
        return int(code.strip() or -1), out

    def check(self, test, command, timeout=60):
        code, out = self.run(command, timeout)
        test.assertEqual(code, 0, f"guest `{command}` exited {code}:\n{out[-3000:]}")
        return out


class VM:
    """One MicroVM from scripts/run-microvm.sh --snapshot, stopped by PID (stop())."""

    def __init__(self, workdir, name, *args, origin_port=None):
        self.name = name
        self.serial = os.path.join(workdir, f"{name}-serial.log")
        self.qmp_sock = os.path.join(workdir, f"{name}-qmp.sock")
        self.shell_sock = os.path.join(workdir, f"{name}-shell.sock")
        self.origin_port = origin_port
        self.started = time.monotonic()
        # TMPDIR: QEMU's snapshot overlay lands in the workdir, which the test removes.
        self.proc = Proc([os.path.join(REPO, "scripts/run-microvm.sh"), "--dir", OUT, "--serial", self.serial,
                          "--qmp", self.qmp_sock, "--shell", self.shell_sock, "--snapshot", *args],
                         workdir, name, env={**os.environ, "TMPDIR": workdir})
        self.shell = None

    def log(self):
        return read_text(self.serial)

    def alive(self):
        return self.proc.p.poll() is None

    def connect_shell(self, test, timeout):
        self.shell = GuestShell(self.shell_sock, 20)
        ready = self.shell.wait_ready(timeout)
        test.assertTrue(ready and self.alive(),
                        f"{self.name}: no guest shell after {timeout} s:\n{self.proc.stderr()[-2000:]}\n"
                        f"{self.log()[-4000:]}")
        return self.shell

    def power_off(self, test, timeout=180):
        """QMP system_powerdown; returns the seconds until QEMU exited 0 after a guest poweroff."""
        if self.shell:
            self.shell.close()
            self.shell = None
        answer = qmp(self.qmp_sock, "system_powerdown")
        test.assertIn("return", answer, answer)
        t = time.monotonic()
        code = self.proc.wait(timeout)
        took = time.monotonic() - t
        log = self.log()
        test.assertEqual(code, 0, f"{self.name}: QEMU did not exit 0 after system_powerdown ({code}):\n{log[-4000:]}")
        test.assertIn("reboot: Power down", log, f"{self.name}: QEMU exited without the guest powering off")
        return took

    def stop(self):
        if self.shell:
            self.shell.close()
        self.proc.stop(10)
        if self.origin_port:
            wait_for(lambda: not any(pid_alive(p) for p in forwarders(self.origin_port)), 5)
            for pid in forwarders(self.origin_port):
                if pid_alive(pid):
                    os.kill(pid, 9)
