#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark: what hls-swarm itself costs per viewer, with the measurement tap on and off, on
the tiny test-origin profile.

For each viewer count it starts `hls-swarm origin -profile tiny` on loopback (a separate
process, so the origin's CPU is not counted), runs hls-swarm against it for the ramp plus a
steady minute, and prints a table:

  viewers | ramp/s set | ramp/s achieved | hls-swarm CPU s per viewer-minute | hls-swarm peak RSS |
  viewers' total private memory | stalled viewers | restarts

Every process started is stopped by its PID; temporary directories are removed.
With the tap on it also probes the added time to first byte: during the steady minute it
fetches the newest segment 100 times directly and 100 times through the tap (a plain socket
client, one request per connection) and reports the difference of the p50 and p99.

Usage: bench/viewers_bench.py [--build build] [--counts 50,200,1000] [--steady 60] [--tap on,off]
"""
import argparse
import json
import re
import threading
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../tests/integration"))
from harness import Proc, children_of, cpu_seconds, free_port, proc_comm, wait_for  # noqa: E402


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def private_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            total = 0
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
            return total
    except OSError:
        return 0


def ttfb_ms(host, port, request):
    s = socket.create_connection((host, port), timeout=5)
    try:
        t0 = time.perf_counter()
        s.sendall(request)
        s.recv(1)
        t = (time.perf_counter() - t0) * 1000
        while s.recv(65536):
            pass
        return t
    finally:
        s.close()


def probe_ttfb(oport, tap_port, count=100):
    """TTFB of the newest segment, direct and through the tap, interleaved."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{oport}/stream.m3u8", timeout=5).read().decode()
    seg = [l for l in body.splitlines() if l and not l.startswith("#")][-1]
    direct, tapped = [], []
    for _ in range(count):
        direct.append(ttfb_ms("127.0.0.1", oport,
                              f"GET /{seg} HTTP/1.1\r\nHost: 127.0.0.1:{oport}\r\nConnection: close\r\n\r\n".encode()))
        tapped.append(ttfb_ms("127.0.0.1", tap_port,
                              f"GET http://127.0.0.1:{oport}/{seg} HTTP/1.1\r\nHost: 127.0.0.1:{oport}\r\n"
                              f"Connection: close\r\n\r\n".encode()))
        time.sleep(0.05)
    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))]
    return q(tapped, 50) - q(direct, 50), q(tapped, 99) - q(direct, 99)


def origin_bytes(access_log):
    """Body bytes the origin sent to the viewers (the TTFB probe's requests left out)."""
    total = 0
    with open(access_log, errors="replace") as f:
        for line in f:
            parts = line.split(" ", 4)
            if len(parts) > 4 and parts[2].isdigit() and "/client-" in parts[4].split('"')[1]:
                total += int(parts[2])
    return total


def run_one(binary, n, rate, steady, workdir, tap=True):
    oport, mport = free_port(), free_port()
    odir = os.path.join(workdir, f"origin-{n}-{tap}")
    origin = Proc([binary, "origin", "-profile", "tiny", "-port", str(oport), "-dir", odir],
                  workdir, f"origin-{n}-{tap}")
    swarm = None
    try:
        if not wait_for(lambda: "ready" in origin.stdout(), 60):
            raise RuntimeError("origin did not start: " + origin.stderr()[-1000:])
        summary = os.path.join(workdir, f"summary-{n}-{tap}.json")
        duration = n / rate + steady
        swarm = Proc([binary, "-clients", str(n), "-ramp-rate", str(rate), "-ramp-jitter", "0",
                      "-duration", f"{int(duration)}s", "-tui=false", "-metrics", f"127.0.0.1:{mport}",
                      "-summary-json", summary, f"-tap={'true' if tap else 'false'}",
                      f"http://127.0.0.1:{oport}/stream.m3u8"], workdir, f"swarm-{n}-{tap}")
        # Sample the viewers' private memory once the ramp is over and they have settled.
        time.sleep(n / rate + min(20, steady / 2))
        ffmpegs = [p for p in children_of(swarm.pid) if proc_comm(p) == "ffmpeg"]
        viewers_private_mb = sum(private_kb(p) for p in ffmpegs) / 1024
        added = (None, None)
        if tap:
            m = re.search(r"measurement tap on http://127.0.0.1:(\d+)", swarm.stderr())
            if m:
                added = probe_ttfb(oport, int(m.group(1)))
        cpu = rss_kb = 0
        while swarm.p.poll() is None:
            try:
                cpu = cpu_seconds(swarm.pid)
                rss_kb = status_kb(swarm.pid, "VmHWM")
            except (OSError, IndexError):
                pass
            time.sleep(1)
        with open(summary) as f:
            report = json.load(f)
        minutes = report["duration_seconds"] / 60
        bits = origin_bytes(os.path.join(odir, "access.log")) * 8
        mbps = bits / 1e6 / report["duration_seconds"]
        return {
            "tap": tap, "mbps": mbps,
            "core_pct_per_100mbps": (cpu / report["duration_seconds"]) / (mbps / 100) * 100 if mbps else 0,
            "added_p50": added[0], "added_p99": added[1],
            "viewers": n, "rate": rate, "achieved": report["ramp_rate_achieved"],
            "cpu_per_viewer_min": cpu / (n * minutes), "cpu_s": cpu, "rss_mb": rss_kb / 1024,
            "viewers_private_mb": viewers_private_mb, "sampled": len(ffmpegs),
            "stalled": sum(report["stalls_by_cause"].values()),
            "restarts": report["restarts"]["total"], "peak_active": report["viewers"]["peak_active"],
        }
    finally:
        if swarm:
            swarm.stop(20)
        origin.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--counts", default="50,200,1000")
    ap.add_argument("--steady", type=int, default=60)
    ap.add_argument("--tap", default="on,off")
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(args.build, "hls-swarm"))
    rates = {50: 10, 200: 10, 1000: 10}
    rows = []
    workdir = tempfile.mkdtemp(prefix="hls-swarm-bench-")
    try:
        for n in [int(x) for x in args.counts.split(",")]:
            for mode in args.tap.split(","):
                print(f"running {n} viewers, tap {mode} ...", file=sys.stderr, flush=True)
                rows.append(run_one(binary, n, rates.get(n, 10), args.steady, workdir, mode == "on"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("| viewers | tap | ramp/s achieved | hls-swarm CPU s per viewer-minute | % of a core per 100 Mbit/s "
          "| carried | hls-swarm peak RSS | viewers' private memory (total) | added TTFB p50 / p99 "
          "| stalled | restarts | peak active |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        added = (f"{r['added_p50']:+.2f} / {r['added_p99']:+.2f} ms" if r["added_p50"] is not None else "—")
        print(f"| {r['viewers']} | {'on' if r['tap'] else 'off'} | {r['achieved']:.2f} | "
              f"{r['cpu_per_viewer_min']:.4f} ({r['cpu_s']:.1f} s) | {r['core_pct_per_100mbps']:.2f} | "
              f"{r['mbps']:.1f} Mbit/s | {r['rss_mb']:.1f} MB | {r['viewers_private_mb']:.0f} MB "
              f"({r['viewers_private_mb'] / max(r['sampled'], 1):.1f} MB each) | {added} | {r['stalled']} | "
              f"{r['restarts']} | {r['peak_active']} |")

if __name__ == "__main__":
    main()
