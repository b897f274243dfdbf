#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark: what hls-swarm itself costs per viewer, on the tiny test-origin profile.

For each viewer count it starts `hls-swarm origin -profile tiny` on loopback (a separate
process, so the origin's CPU is not counted), runs hls-swarm against it for the ramp plus a
steady minute, and prints a table:

  viewers | ramp/s set | ramp/s achieved | hls-swarm CPU s per viewer-minute | hls-swarm peak RSS |
  viewers' total private memory | stalled viewers | restarts

Every process started is stopped by its PID; temporary directories are removed.
Usage: bench/viewers_bench.py [--build build] [--counts 50,200,1000] [--steady 60]
"""
import argparse
import json
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
from harness import Proc, children_of, proc_comm, wait_for  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


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


def run_one(binary, n, rate, steady, workdir):
    oport, mport = free_port(), free_port()
    origin = Proc([binary, "origin", "-profile", "tiny", "-port", str(oport), "-dir",
                   os.path.join(workdir, f"origin-{n}")], workdir, f"origin-{n}")
    swarm = None
    try:
        if not wait_for(lambda: "ready" in origin.stdout(), 60):
            raise RuntimeError("origin did not start: " + origin.stderr()[-1000:])
        summary = os.path.join(workdir, f"summary-{n}.json")
        duration = n / rate + steady
        swarm = Proc([binary, "-clients", str(n), "-ramp-rate", str(rate), "-ramp-jitter", "0",
                      "-duration", f"{int(duration)}s", "-tui=false", "-metrics", f"127.0.0.1:{mport}",
                      "-summary-json", summary, "-log-level", "warning",
                      f"http://127.0.0.1:{oport}/stream.m3u8"], workdir, f"swarm-{n}")
        # Sample the viewers' private memory once the ramp is over and they have settled.
        time.sleep(n / rate + min(20, steady / 2))
        ffmpegs = [p for p in children_of(swarm.pid) if proc_comm(p) == "ffmpeg"]
        viewers_private_mb = sum(private_kb(p) for p in ffmpegs) / 1024
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
        return {
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
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(args.build, "hls-swarm"))
    rates = {50: 10, 200: 10, 1000: 10}
    rows = []
    workdir = tempfile.mkdtemp(prefix="hls-swarm-bench-")
    try:
        for n in [int(x) for x in args.counts.split(",")]:
            print(f"running {n} viewers ...", file=sys.stderr, flush=True)
            rows.append(run_one(binary, n, rates.get(n, 10), args.steady, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("| viewers | ramp/s set | ramp/s achieved | hls-swarm CPU s per viewer-minute | "
          "hls-swarm peak RSS | viewers' private memory (total) | stalled | restarts | peak active |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['viewers']} | {r['rate']} | {r['achieved']:.2f} | {r['cpu_per_viewer_min']:.4f} "
              f"({r['cpu_s']:.1f} s) | {r['rss_mb']:.1f} MB | {r['viewers_private_mb']:.0f} MB "
              f"({r['viewers_private_mb'] / max(r['sampled'], 1):.1f} MB each) | {r['stalled']} | "
              f"{r['restarts']} | {r['peak_active']} |")


if __name__ == "__main__":
    main()
