#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark of the bundled LL-HLS origin (`hls-swarm origin -profile ll-hls`): what N held
blocking playlist requests cost the origin process (not its FFmpeg child).

For each count N it starts the origin on a free loopback port, opens N keep-alive connections
from this (single-threaded, selectors-based) client and keeps one blocking playlist request
outstanding on each, re-issued as soon as the answer arrives:

- mode `segment` (default): `_HLS_msn=<last+2>`, held until that segment is complete (about
  4 s; every connection is woken at once at each segment boundary);
- mode `part`: `_HLS_msn/_HLS_part` of the preload hint, held until the next part, as a
  LL-HLS player does (every connection is woken three times a second).

After a warm-up it samples the origin's /proc/PID/stat (utime+stime) and VmRSS for the window
and prints: held connections, answers per second, origin CPU % of one core, RSS MiB. The
client's own fd limit is raised to fit; the origin inherits it. Every process started is
stopped by its PID; the temporary directory is removed.

Usage: bench/llhls_held.py [--build build] [--counts 2000,8000] [--seconds 20] [--mode segment]
"""
import argparse
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/integration"))
from harness import cpu_seconds, free_port  # noqa: E402


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(m[1]) / 1024


def hint(port):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/stream.m3u8", timeout=5).read().decode()
    m = re.search(r'PRELOAD-HINT:TYPE=PART,URI="part_(\d+)_(\d+)\.m4s"', body)
    return int(m[1]), int(m[2])


class Held:
    """N connections, one blocking request outstanding on each."""

    def __init__(self, port, n, mode):
        self.port, self.mode = port, mode
        self.sel = selectors.DefaultSelector()
        self.answers = 0
        self.errors = 0
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.setblocking(False)
            self.socks.append(s)
            self.sel.register(s, selectors.EVENT_READ, bytearray())
        self.next = hint(port)
        for s in self.socks:
            self.send(s)

    def target(self):
        msn, part = self.next
        if self.mode == "segment":
            return f"/stream.m3u8?_HLS_msn={msn + 1}"
        return f"/stream.m3u8?_HLS_msn={msn}&_HLS_part={part}"

    def send(self, s):
        s.sendall(f"GET {self.target()} HTTP/1.1\r\nHost: x\r\nUser-Agent: llhls-bench\r\n\r\n"
                  .encode())

    def pump(self, until):
        while time.monotonic() < until:
            for key, _ in self.sel.select(timeout=0.2):
                s, buf = key.fileobj, key.data
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.errors += 1
                    self.sel.unregister(s)
                    continue
                buf += chunk
                while True:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        break
                    m = re.search(rb"Content-Length: (\d+)", bytes(buf[:end]))
                    total = end + 4 + int(m[1])
                    if len(buf) < total:
                        break
                    body = bytes(buf[end + 4:total])
                    status = int(buf[9:12])
                    del buf[:total]
                    self.answers += 1
                    if status != 200:
                        self.errors += 1
                    else:
                        h = re.search(rb'PRELOAD-HINT:TYPE=PART,URI="part_(\d+)_(\d+)\.m4s"', body)
                        nxt = (int(h[1]), int(h[2]))
                        if nxt > self.next:
                            self.next = nxt
                    self.send(s)

    def close(self):
        for s in self.socks:
            s.close()


def run(binary, n, seconds, mode):
    tmp = tempfile.mkdtemp(prefix="llhls-bench-")
    port = free_port()
    out = open(os.path.join(tmp, "origin.out"), "w")
    origin = subprocess.Popen([binary, "origin", "-profile", "ll-hls", "-port", str(port), "-dir",
                               os.path.join(tmp, "o")], stdout=out, stderr=subprocess.STDOUT,
                              start_new_session=True)
    held = None
    try:
        deadline = time.monotonic() + 60
        while "ready" not in open(out.name).read():
            if origin.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("origin did not start: " + open(out.name).read()[-2000:])
            time.sleep(0.2)
        base_cpu, base_t = cpu_seconds(origin.pid), time.monotonic()
        time.sleep(5)
        idle_cpu = (cpu_seconds(origin.pid) - base_cpu) / (time.monotonic() - base_t) * 100
        held = Held(port, n, mode)
        held.pump(time.monotonic() + 6)  # warm-up: every connection answered at least once
        a0, c0, t0 = held.answers, cpu_seconds(origin.pid), time.monotonic()
        held.pump(t0 + seconds)
        dt = time.monotonic() - t0
        cpu = (cpu_seconds(origin.pid) - c0) / dt * 100
        print(f"{n:6d} held ({mode}): {(held.answers - a0) / dt:8.0f} answers/s, origin CPU "
              f"{cpu:5.1f} % of a core (idle {idle_cpu:.1f} %), RSS {rss_mib(origin.pid):5.1f} MiB, "
              f"errors {held.errors}", flush=True)
    finally:
        if held is not None:
            held.close()
        os.kill(origin.pid, signal.SIGTERM)
        try:
            origin.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(origin.pid, signal.SIGKILL)
            origin.wait(5)
        out.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "../build"))
    ap.add_argument("--counts", default="2000,8000")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--mode", choices=("segment", "part"), default="segment")
    args = ap.parse_args()
    counts = [int(x) for x in args.counts.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(counts) + 1024
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    binary = os.path.join(args.build, "hls-swarm")
    for n in counts:
        run(binary, n, args.seconds, args.mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
