#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark of LL-HLS native viewers against the bundled LL-HLS origin on the same machine:
how many this machine holds, and what they cost hls-swarm and the origin.

For each count N (with S steady seconds) it starts `hls-swarm origin -profile ll-hls` on a free
loopback port (a separate process), waits until its playlist lists at least 3 complete
segments, then runs

  hls-swarm -engine native -clients N -ramp-rate 100 -ramp-jitter 0 -duration $((N/100+S))s
            -tui=false -metrics-port 0 -user-agent llbench-N -summary-json F.json URL

and samples once a second: hls-swarm's and the origin server process's (not its FFmpeg
child's) CPU (utime+stime) and RSS, and the origin's open connections (its /nginx_status
"Active connections", minus the status request's own). Reported per N: ramp achieved, peak
active, connections at the origin in the steady window (median), hls-swarm CPU (% of a core
from 10 s after the ramp to the end), hls-swarm peak RSS (VmHWM) and RSS per viewer (peak RSS
minus that of the 1-viewer run, over N - 1), origin CPU and peak RSS over the same window,
requests per second by kind in that window (from the origin's access log), live latency
p50/p99 (summary JSON qoe.live_latency_seconds), rebuffer events, errors, restarts, and the
request counts by kind: hls-swarm's summary (the viewers' plus its preflight's,
requests.total_with_probe) against the origin's access log (requests in flight at the stop
are logged 499 by the origin and recorded client_aborted by hls-swarm, so they should be
equal).

The soft open-file limit is raised to the hard one for the children. The binary is copied to
the temporary directory first. Every process started is stopped by its PID; the temporary
directory is removed.

Usage: bench/llhls_viewers.py [--build build] [--counts 1:20,2000:60] [--ramp-rate 100]
                              [--json results.json]
"""
import argparse
import datetime
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/integration"))
from harness import Proc, read_access_log, wait_for  # noqa: E402
from native_bench import exited, machine_busy, reap  # noqa: E402
from viewers_bench import cpu_seconds, free_port, status_kb  # noqa: E402

SETTLE_S = 10  # the steady window starts this long after the ramp


def fetch(url, timeout=2):
    try:
        return urllib.request.urlopen(url, timeout=timeout).read().decode(errors="replace")
    except OSError:
        return ""


def complete_segments(port):
    return fetch(f"http://127.0.0.1:{port}/stream.m3u8").count("#EXTINF:")


def origin_connections(port):
    """The origin's open connections from its /nginx_status, without the status request's own."""
    for line in fetch(f"http://127.0.0.1:{port}/nginx_status").splitlines():
        if line.startswith("Active connections:"):
            return int(line.split(":")[1]) - 1
    return None


def kind_of(uri):
    path = uri.split("?")[0]
    name = path.rsplit("/", 1)[-1]
    if path.endswith(".m3u8"):
        return "playlist"
    if name.startswith("part_"):
        return "part"
    if name.startswith("seg_"):
        return "segment"
    if name.startswith("init"):
        return "init"
    return "other"


def log_figures(path, ua, t_from, t_to):
    """The origin's access-log lines of ua's viewers: counts by kind, by status, and the lines
    by kind whose time lies in [t_from, t_to) (wall clock)."""
    by_kind, by_status, window = {}, {}, {}
    for r in read_access_log(path):
        if not r["ua"].startswith(ua + "/"):
            continue
        k = kind_of(r["uri"])
        by_kind[k] = by_kind.get(k, 0) + 1
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
        if t_from <= r["msec"] < t_to:
            window[k] = window.get(k, 0) + 1
    return by_kind, by_status, window


def sample(pid):
    return cpu_seconds(pid), status_kb(pid, "VmRSS")


def run_one(binary, n, rate, steady, workdir):
    odir = os.path.join(workdir, f"origin-{n}")
    port = free_port()
    origin = Proc([binary, "origin", "-profile", "ll-hls", "-port", str(port), "-dir", odir], workdir,
                  f"origin-{n}")
    swarm = None
    try:
        if not wait_for(lambda: "ready" in origin.stdout() or origin.p.poll() is not None, 60) or \
                origin.p.poll() is not None:
            raise RuntimeError("origin did not start: " + origin.stderr()[-1000:])
        if not wait_for(lambda: complete_segments(port) >= 3, 60):
            raise RuntimeError("the origin's playlist did not list 3 complete segments in 60 s")
        ua = f"llbench-{n}"
        summary = os.path.join(workdir, f"summary-{n}.json")
        ramp_s = math.ceil(n / rate)
        duration = ramp_s + steady
        argv = [binary, "-engine", "native", "-clients", str(n), "-ramp-rate", str(rate),
                "-ramp-jitter", "0", "-duration", f"{duration}s", "-tui=false", "-metrics-port", "0",
                "-user-agent", ua, "-summary-json", summary, f"http://127.0.0.1:{port}/stream.m3u8"]
        load_before = os.getloadavg()
        busy0 = machine_busy()
        t0 = time.monotonic()
        wall0 = time.time()
        swarm = Proc(argv, workdir, f"swarm-{n}")
        samples = []
        hwm = 0
        while not exited(swarm) and time.monotonic() - t0 < duration + 120:
            try:
                s_cpu, s_rss = sample(swarm.pid)
                hwm = max(hwm, status_kb(swarm.pid, "VmHWM"))
                o_cpu, o_rss = sample(origin.pid)
            except (OSError, IndexError):
                break
            if s_rss == 0:  # exiting: its memory is gone already
                break
            samples.append({"t": time.monotonic() - t0, "wall": time.time(), "cpu": s_cpu, "rss": s_rss,
                            "ocpu": o_cpu, "orss": o_rss, "conns": origin_connections(port)})
            time.sleep(max(0.0, 1 - (time.monotonic() - t0 - samples[-1]["t"])))
        busy1 = machine_busy()
        load_after = os.getloadavg()
        got = reap(swarm, 120)
        if got is None:
            raise RuntimeError(f"hls-swarm with {n} viewers did not exit by itself")
        cpu_total, peak_kb = got[0], max(hwm, got[1])
        # The origin logs the requests in flight at the stop (499) when it sees their connections
        # close: wait (bounded) until it has none left before stopping it.
        t_close = time.monotonic()
        drained = wait_for(lambda: origin_connections(port) == 0, 60)
        drain_s = time.monotonic() - t_close
        origin.stop()
        with open(summary) as f:
            rep = json.load(f)
        # From 10 s after the ramp to the last sample before hls-swarm's -duration ends.
        steady_s = [s for s in samples if ramp_s + SETTLE_S <= s["t"] <= duration]
        row = {"viewers": n, "steady_s": steady, "exit": swarm.p.returncode,
               "achieved": rep["ramp_rate_achieved"], "peak_active": rep["viewers"]["peak_active"],
               "peak_rss_mb": peak_kb / 1024, "cpu_total": cpu_total,
               "duration_s": rep["duration_seconds"], "samples": len(samples),
               "origin_drained": bool(drained), "drain_s": drain_s,
               "load_before": load_before, "load_after": load_after,
               "machine_busy_pct": 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
               "start_utc": datetime.datetime.fromtimestamp(wall0, datetime.timezone.utc).strftime("%H:%M:%S"),
               "latency": rep["qoe"].get("live_latency_seconds", {}),
               "rebuffer_events": rep["rebuffer_events"], "rebuffer_s": rep["rebuffer_seconds"],
               "errors": rep["errors"]["total"], "errors_by_type": rep["errors"]["by_type"],
               "http_errors": rep["http_errors_by_code"], "restarts": rep["restarts"]["total"],
               "restarts_by_cause": rep["restarts"]["by_cause"], "reconnects": rep.get("reconnects", 0),
               "swarm_by_kind": rep["requests"]["by_kind"], "probe_by_kind": rep["probe"]["by_kind"],
               "swarm_total": rep["requests"]["total_with_probe"],
               "stalls": rep["stalls_by_cause"], "segments": rep["segments"],
               "origin_peak_rss_mb": max((s["orss"] for s in samples), default=0) / 1024,
               "stderr_tail": [l for l in swarm.stderr().splitlines() if " warning " in l or " error " in l][-5:]}
        window = None
        if len(steady_s) >= 2:
            a, b = steady_s[0], steady_s[-1]
            window = b["t"] - a["t"]
            row.update(window_s=window, swarm_core_pct=100 * (b["cpu"] - a["cpu"]) / window,
                       origin_core_pct=100 * (b["ocpu"] - a["ocpu"]) / window,
                       conns=statistics.median(s["conns"] for s in steady_s if s["conns"] is not None),
                       conns_range=(min(s["conns"] for s in steady_s if s["conns"] is not None),
                                    max(s["conns"] for s in steady_s if s["conns"] is not None)))
            log_kind, log_status, log_window = log_figures(os.path.join(odir, "access.log"), ua, a["wall"],
                                                           b["wall"])
            row["rps"] = {k: v / window for k, v in log_window.items()}
        else:
            log_kind, log_status, _ = log_figures(os.path.join(odir, "access.log"), ua, 0, 0)
        row.update(log_by_kind=log_kind, log_total=sum(log_kind.values()), log_by_status=log_status)
        return row
    finally:
        if swarm:
            swarm.stop(30)
        origin.stop()


def fmt(v, f, dash="—"):
    return dash if v is None else format(v, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--counts", default="1:20,2000:60", help="viewers:steady seconds, comma-separated")
    ap.add_argument("--ramp-rate", type=int, default=100)
    ap.add_argument("--json", help="also write all results to this file")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the children
    workdir = tempfile.mkdtemp(prefix="hls-swarm-llhls-bench-")
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True).stdout.strip()
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "commit": commit, "nofile": hard, "cores": os.cpu_count(), "runs": []}
    try:
        binary = os.path.join(workdir, "hls-swarm")
        shutil.copy2(os.path.join(args.build, "hls-swarm"), binary)
        for spec in args.counts.split(","):
            n, _, steady = spec.partition(":")
            n, steady = int(n), int(steady or 60)
            print(f"{n} LL-HLS native viewers, ramp {args.ramp_rate}/s, {steady} s steady ...", file=sys.stderr,
                  flush=True)
            results["runs"].append(run_one(binary, n, args.ramp_rate, steady, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    print(f"Date {results['date']}, commit {commit}, {results['cores']} cores, nofile {hard}\n")
    runs = results["runs"]
    base = next((r for r in runs if r["viewers"] == 1), None)
    print("| viewers | ramp/s achieved | peak active | connections at the origin (steady) "
          "| hls-swarm CPU (% of a core) | hls-swarm peak RSS | RSS per viewer | origin CPU | origin RSS "
          "| requests/s part / playlist | live latency p50 / p99 | rebuffer events | errors | restarts "
          "| requests: hls-swarm / origin log |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        per = "—"
        if base and r is not base:
            per = f"{(r['peak_rss_mb'] - base['peak_rss_mb']) * 1024 / (r['viewers'] - 1):.1f} kB"
        rps = r.get("rps", {})
        lat = r["latency"]
        print(f"| {r['viewers']:,} | {r['achieved']:.1f} | {r['peak_active']:,} | {fmt(r.get('conns'), ',.0f')} | "
              f"{fmt(r.get('swarm_core_pct'), '.1f')} % | {r['peak_rss_mb']:.1f} MB | {per} | "
              f"{fmt(r.get('origin_core_pct'), '.1f')} % | {r['origin_peak_rss_mb']:.1f} MB | "
              f"{rps.get('part', 0):,.0f} / {rps.get('playlist', 0):,.0f} | "
              f"{fmt(lat.get('p50'), '.2f')} / {fmt(lat.get('p99'), '.2f')} s | {r['rebuffer_events']} | "
              f"{r['errors']} | {r['restarts']} | {r['swarm_total']:,} / {r['log_total']:,} |")
    print()
    for r in runs:
        print(f"- {r['viewers']} viewers (start {r['start_utc']} UTC): exit {r['exit']}, hls-swarm CPU "
              f"{r['cpu_total']:.1f} s over {r['duration_s']:.0f} s, steady window {fmt(r.get('window_s'), '.0f')} s, "
              f"origin connections {r.get('conns_range')}, by kind hls-swarm {r['swarm_by_kind']} + its "
              f"preflight {r['probe_by_kind']} / origin log "
              f"{r['log_by_kind']}, log statuses {r['log_by_status']}, errors {r['errors_by_type']} "
              f"{r['http_errors']}, restarts {r['restarts_by_cause']}, stalls {r['stalls']}, segments "
              f"{r['segments']}, rebuffering {r['rebuffer_s']:.1f} s, latency {r['latency']}, load "
              f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f}, machine busy "
              f"{r['machine_busy_pct']:.0f} %, origin's connections closed {r['origin_drained']} "
              f"({r['drain_s']:.1f} s after hls-swarm exited), warnings {r['stderr_tail']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
