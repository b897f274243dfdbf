#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark of the native engine (`-engine native`): what hls-swarm's own process costs per
viewer at scale, whether its request counts agree with the origin's access log, and how many
body bytes it moves per CPU-second compared with wrk.

1. Scale: for each count (default 1, 1000 and 10000 viewers) it starts `hls-swarm origin
   -profile tiny` on loopback (a separate process, so the origin's CPU is not counted), runs
   hls-swarm with native viewers for the ramp plus a steady window and samples hls-swarm's
   /proc every second. Reported: peak RSS (the kernel's maxrss of the exited process, i.e.
   VmHWM), RSS after the ramp, RSS per viewer (RSS after the ramp minus that of the 1-viewer
   run, divided by the extra viewers), CPU seconds (utime+stime) per viewer-minute in the
   steady window, and from -summary-json: segment requests and bytes, rebuffer events, peak
   active viewers and errors, with the segment lines nginx logged for the same user agent.
2. Throughput: a static VOD (about 30 two-second segments made once with ffmpeg) served by an
   nginx of its own (one worker, access_log off). N native viewers with -pace=false
   -vod-end restart, then `wrk -t1 -cN` cycling over the same segment paths (a Lua request()
   function), each for the same time. Reported: segment body bytes per CPU-second of the
   client process (wait4 rusage) and body bytes per wall second.
3. TLS memory: the heap per idle kept-alive connection, plain and TLS, as printed by the
   ClientMemoryTest in hls_swarm_tests (no https origin is run).

Every process started is stopped by its PID; temporary directories are removed. The binary is
copied into the temporary directory first, so a rebuild during the run does not mix versions.

Usage: bench/native_bench.py [--build build] [--counts 1:20,1000:60,10000:300] [--ramp-rate 100]
                             [--vod-viewers 50] [--vod-seconds 30] [--skip scale,vod,tls]
"""
import argparse
import datetime
import json
import math
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/integration"))
from harness import Proc, children_of, proc_comm, start_tls_nginx, wait_for  # noqa: E402
from viewers_bench import cpu_seconds, free_port, status_kb  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def reap(proc, timeout):
    """Waits (bounded) for proc to exit by itself and reaps it with wait4; returns its
    (cpu seconds, peak VmHWM kB seen while waiting), or None if it did not exit in time.
    (wait4's ru_maxrss is no use here: Linux keeps the forked Python's peak across exec.)"""
    end = time.monotonic() + timeout
    hwm = 0
    while time.monotonic() < end:
        try:
            hwm = max(hwm, status_kb(proc.pid, "VmHWM"))
        except OSError:
            pass
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.p.returncode = os.waitstatus_to_exitcode(status)
            return ru.ru_utime + ru.ru_stime, hwm
        time.sleep(0.05)
    return None


def exited(proc):
    """True once proc has exited; it is not reaped (reap() still gets its rusage)."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def machine_busy():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def nginx_cpu(pid):
    total = 0.0
    for p in [pid] + children_of(pid):
        if proc_comm(p) == "nginx":
            try:
                total += cpu_seconds(p)
            except (OSError, IndexError):
                pass
    return total


def access_log_counts(path, ua):
    """Lines the origin logged for ua/client-*: total, segments (.ts), non-200 statuses and
    segments per viewer id."""
    total = segs = 0
    bad = {}
    per_viewer = {}
    prefix = ua + "/client-"
    with open(path, errors="replace") as f:
        for line in f:
            parts = line.split('"')
            if len(parts) < 3 or not parts[1].startswith(prefix):
                continue
            total += 1
            head = parts[0].split()
            if head[1] != "200":
                bad[head[1]] = bad.get(head[1], 0) + 1
            if parts[2].split()[0].endswith(".ts"):
                segs += 1
                v = parts[1][len(prefix):]
                per_viewer[v] = per_viewer.get(v, 0) + 1
    return total, segs, bad, per_viewer


def tap_log_counts(path):
    """Segments per viewer id and request errors in a -tap-log file."""
    per_viewer, errors = {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            r = json.loads(line)
            if r.get("error", "none") != "none":
                errors[r["error"]] = errors.get(r["error"], 0) + 1
            if r.get("kind") == "segment":
                v = str(r["viewer"])
                per_viewer[v] = per_viewer.get(v, 0) + 1
    return per_viewer, errors


def start_origin(binary, workdir, name):
    port = free_port()
    origin = Proc([binary, "origin", "-profile", "tiny", "-port", str(port), "-dir",
                   os.path.join(workdir, name)], workdir, name)
    if not wait_for(lambda: "ready" in origin.stdout(), 60):
        origin.stop()
        raise RuntimeError("origin did not start: " + origin.stderr()[-1000:])
    return origin, port


def run_scale(binary, n, rate, steady, workdir, tap_log=True, https=False):
    origin, oport = start_origin(binary, workdir, f"origin-{n}")
    swarm = tls = None
    access_log = os.path.join(workdir, f"origin-{n}", "access.log")
    env = None
    url = f"http://127.0.0.1:{oport}/stream.m3u8"
    if https:
        # The same origin directory over TLS from a second nginx; viewers verify its certificate
        # against the bench's CA (SSL_CERT_FILE), as they would a CDN's.
        tport = free_port()
        tls, access_log, ca = start_tls_nginx(workdir, os.path.join(workdir, f"origin-{n}"),
                                              "127.0.0.1", tport, name=f"nginx-tls-{n}")
        env = dict(os.environ, SSL_CERT_FILE=ca)
        url = f"https://127.0.0.1:{tport}/stream.m3u8"
        time.sleep(1)
    try:
        ua = f"nbench-{n}"
        summary = os.path.join(workdir, f"summary-{n}.json")
        taplog = os.path.join(workdir, f"tap-{n}.jsonl")
        ramp_s = math.ceil(n / rate)
        duration = ramp_s + steady
        settle = min(10, steady / 2)  # after the ramp, before "RSS after the ramp" is taken
        argv = [binary, "-engine", "native", "-clients", str(n), "-ramp-rate", str(rate),
                "-ramp-jitter", "0", "-duration", f"{duration}s", "-tui=false", "-metrics-port", "0",
                "-user-agent", ua, "-summary-json", summary]
        if tap_log:
            argv += ["-tap-log", taplog]
        busy0 = machine_busy()
        t0 = time.monotonic()
        swarm = Proc(argv + [url], workdir, f"swarm-{n}", env=env)
        first_rss = after_ramp = None
        last = None
        hwm = 0
        while not exited(swarm) and time.monotonic() - t0 < duration + 120:
            try:
                s = {"t": time.monotonic() - t0, "cpu": cpu_seconds(swarm.pid),
                     "rss": status_kb(swarm.pid, "VmRSS"), "nginx": nginx_cpu(origin.pid)}
                hwm = max(hwm, status_kb(swarm.pid, "VmHWM"))
            except (OSError, IndexError):
                break
            if s["rss"] == 0:  # exiting: the memory is gone already
                break
            first_rss = first_rss or s["rss"]
            if after_ramp is None and s["t"] >= ramp_s + settle:
                after_ramp = s
            last = s
            time.sleep(1)
        busy1 = machine_busy()
        got = reap(swarm, 120)
        if got is None:
            raise RuntimeError(f"hls-swarm with {n} viewers did not exit by itself")
        cpu_total, maxrss = got[0], max(hwm, got[1])
        origin.stop()
        if tls:
            tls.stop()
        with open(summary) as f:
            rep = json.load(f)
        log_total, log_segs, log_bad, log_per_viewer = access_log_counts(access_log, ua)
        seg = rep["tap"]["by_kind"].get("segment", {})
        row = {
            "viewers": n, "https": https, "rate": rate, "steady_s": steady, "exit": swarm.p.returncode,
            "achieved": rep["ramp_rate_achieved"], "peak_active": rep["viewers"]["peak_active"],
            "first_rss_mb": (first_rss or 0) / 1024,
            "rss_after_ramp_mb": (after_ramp or last or {"rss": 0})["rss"] / 1024,
            "peak_rss_mb": maxrss / 1024, "cpu_total": cpu_total,
            "ramp_cpu": after_ramp["cpu"] if after_ramp else None,
            "steady_cpu_per_viewer_min": None,
            "seg_requests": seg.get("requests", 0), "seg_bytes": seg.get("body_bytes", 0),
            "requests_total": rep["requests"]["total"], "log_total": log_total,
            "log_segs": log_segs, "log_bad": log_bad,
            "rebuffer_events": rep["rebuffer_events"], "rebuffer_s": rep["rebuffer_seconds"],
            "errors": rep["errors"]["total"], "errors_by_type": rep["errors"]["by_type"],
            "http_errors": rep["http_errors_by_code"], "segments": rep["segments"],
            "restarts": rep["restarts"]["total"], "reconnects": rep.get("reconnects", 0),
            "duration_s": rep["duration_seconds"],
            "machine_busy_pct": 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
            "stderr_tail": [l for l in swarm.stderr().splitlines() if " warning " in l or " error " in l][-5:],
        }
        if after_ramp and last and last["t"] > after_ramp["t"]:
            window = last["t"] - after_ramp["t"]
            row["steady_cpu_per_viewer_min"] = (last["cpu"] - after_ramp["cpu"]) / (n * window / 60)
            row["steady_window_s"] = window
            row["nginx_core_pct"] = 100 * (last["nginx"] - after_ramp["nginx"]) / window
        if tap_log and os.path.exists(taplog):
            tap_per_viewer, tap_errors = tap_log_counts(taplog)
            row["tap_log_segs"] = sum(tap_per_viewer.values())
            row["tap_log_errors"] = tap_errors
            diffs = {v: tap_per_viewer.get(v, 0) - log_per_viewer.get(v, 0)
                     for v in set(tap_per_viewer) | set(log_per_viewer)}
            row["viewers_differing"] = sum(1 for d in diffs.values() if d)
            row["max_viewer_diff"] = max((abs(d) for d in diffs.values()), default=0)
            os.remove(taplog)
        row["mbit_s"] = row["seg_bytes"] * 8 / 1e6 / max(row["duration_s"], 1)
        return row
    finally:
        if swarm:
            swarm.stop(30)
        if tls:
            tls.stop()
        origin.stop()


def make_vod(dirpath, seconds=60):
    """A static VOD: ffmpeg's 2 s segments under a playlist written here (VOD, ENDLIST)."""
    os.makedirs(dirpath)
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=10", "-t", str(seconds), "-c:v", "libx264",
                    "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "20", "-keyint_min", "20",
                    "-sc_threshold", "0", "-f", "hls", "-hls_time", "2", "-hls_list_size", "0",
                    "-hls_segment_filename", os.path.join(dirpath, "seg_%03d.ts"),
                    os.path.join(dirpath, "ffmpeg.m3u8")], check=True, timeout=300)
    entries, dur = [], None
    with open(os.path.join(dirpath, "ffmpeg.m3u8")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#EXTINF:"):
                dur = float(line[8:].split(",")[0])
            elif line and not line.startswith("#"):
                entries.append((dur, line))
    target = math.ceil(max(d for d, _ in entries))
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}", "#EXT-X-MEDIA-SEQUENCE:0",
             "#EXT-X-PLAYLIST-TYPE:VOD"]
    for d, uri in entries:
        lines += [f"#EXTINF:{d:.6f},", uri]
    lines.append("#EXT-X-ENDLIST")
    with open(os.path.join(dirpath, "vod.m3u8"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # The same segments with (nearly) zero durations: the native player ends a play only when
    # its real-time playhead reaches the end, even with -pace=false, so with the real durations
    # each viewer idles for the rest of the 60 s after fetching everything (see the README).
    fast = [l.replace(f"#EXT-X-TARGETDURATION:{target}", "#EXT-X-TARGETDURATION:1") for l in lines]
    fast = ["#EXTINF:0.0001," if l.startswith("#EXTINF:") else l for l in fast]
    with open(os.path.join(dirpath, "vod-fast.m3u8"), "w") as f:
        f.write("\n".join(fast) + "\n")
    return [uri for _, uri in entries]


def start_vod_nginx(workdir, root):
    port = free_port()
    prefix = os.path.join(workdir, "nginx-vod")
    os.makedirs(prefix)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        # As the bundled origin does: as root, workers run as root too, so they can read the
        # 0700 temporary directory.
        f.write(("user root root;\n" if os.geteuid() == 0 else "") + f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
""")
    nginx = Proc([NGINX, "-p", prefix + "/", "-c", conf, "-e", os.path.join(prefix, "error.log")],
                 workdir, "nginx-vod")

    def up():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/vod.m3u8", timeout=2).status == 200
        except OSError:
            return False

    if not wait_for(up, 20):
        nginx.stop()
        raise RuntimeError("VOD nginx did not start: " + nginx.stderr()[-1000:])
    return nginx, port


def header_bytes(port, path):
    """Bytes of nginx's response header for path (everything before the body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.index(b"\r\n\r\n") + 4
    finally:
        s.close()


def run_vod(binary, viewers, seconds, workdir, repeats):
    root = os.path.join(workdir, "vod")
    uris = make_vod(root)
    sizes = [os.path.getsize(os.path.join(root, u)) for u in uris]
    nginx, port = start_vod_nginx(workdir, root)
    rows = []
    try:
        hdr = sum(header_bytes(port, "/" + u) for u in uris) / len(uris)
        lua = os.path.join(workdir, "cycle.lua")
        with open(lua, "w") as f:
            f.write("local paths = {" + ", ".join(f'"/{u}"' for u in uris) + "}\n"
                    "local i = 0\n"
                    "request = function()\n"
                    "  i = i % #paths + 1\n"
                    "  return wrk.format(\"GET\", paths[i])\n"
                    "end\n"
                    "done = function(summary, latency, requests)\n"
                    "  local e = summary.errors\n"
                    "  io.write(string.format(\"WRKDONE %d %d %d %d\\n\", summary.requests, summary.bytes,\n"
                    "    summary.duration, e.connect + e.read + e.write + e.status + e.timeout))\n"
                    "end\n")
        for rep in range(repeats):
            for tool in ("native-2s", "native", "native+tap-log", "wrk"):
                name = f"vod-{tool}-{rep}"
                if tool == "wrk":
                    argv = ["wrk", "-t1", f"-c{viewers}", f"-d{seconds}s", "-s", lua, f"http://127.0.0.1:{port}/"]
                else:
                    argv = [binary, "-engine", "native", "-clients", str(viewers), "-ramp-rate", "1000",
                            "-ramp-jitter", "0", "-pace=false", "-vod-end", "restart", "-duration", f"{seconds}s",
                            "-tui=false", "-metrics-port", "0", "-user-agent", "nbench-vod",
                            "-summary-json", os.path.join(workdir, name + ".json")]
                    if tool == "native+tap-log":
                        argv += ["-tap-log", os.path.join(workdir, name + ".jsonl")]
                    playlist = "vod.m3u8" if tool == "native-2s" else "vod-fast.m3u8"
                    argv.append(f"http://127.0.0.1:{port}/{playlist}")
                p = Proc(argv, workdir, name)
                got = reap(p, seconds + 60)
                if got is None:
                    p.stop()
                    raise RuntimeError(f"{name} did not exit by itself")
                cpu, maxrss = got
                if tool == "wrk":
                    m = re.search(r"WRKDONE (\d+) (\d+) (\d+) (\d+)", p.stdout())
                    if not m:
                        raise RuntimeError("wrk printed no summary: " + p.stdout()[-500:] + p.stderr()[-500:])
                    reqs, total, dur_us, errs = (int(x) for x in m.groups())
                    body = total - reqs * hdr
                    row = {"tool": f"wrk -t1 -c{viewers}", "requests": reqs, "body_bytes": body,
                           "wall_s": dur_us / 1e6, "errors": errs, "rebuffer": None}
                else:
                    with open(os.path.join(workdir, name + ".json")) as f:
                        r = json.load(f)
                    seg = r["tap"]["by_kind"].get("segment", {})
                    row = {"tool": f"hls-swarm native, {viewers} viewers, {playlist}" +
                           (", -tap-log" if tool == "native+tap-log" else ""),
                           "requests": seg.get("requests", 0), "body_bytes": seg.get("body_bytes", 0),
                           "wall_s": r["duration_seconds"], "errors": r["errors"]["total"],
                           "rebuffer": r["rebuffer_events"], "plays": r.get("plays_completed"),
                           "restarts": r["restarts"]["by_cause"]}
                row.update({"cpu_s": cpu, "maxrss_mb": maxrss / 1024, "repeat": rep,
                            "bytes_per_cpu_s": row["body_bytes"] / max(cpu, 1e-9),
                            "bytes_per_wall_s": row["body_bytes"] / max(row["wall_s"], 1e-9)})
                p.stop()
                rows.append(row)
    finally:
        nginx.stop()
    return rows, {"segments": len(uris), "mean_kb": sum(sizes) / len(sizes) / 1024,
                  "min_kb": min(sizes) / 1024, "max_kb": max(sizes) / 1024, "header_bytes": hdr}


def run_tls_memory(build, runs=3):
    """ClientMemoryTest's figures over a few runs: {key: [value per run]}."""
    tests = os.path.join(build, "hls_swarm_tests")
    out = {"plain": [], "tls": [], "sizeof": [], "resumed": [], "skipped": False}
    for _ in range(runs):
        r = subprocess.run([tests, "--gtest_filter=ClientMemoryTest*"], capture_output=True, text=True,
                           timeout=300)
        for key, rx in (("plain", r"plain: (\d+) heap bytes"), ("tls", r"tls: (\d+) heap bytes"),
                        ("sizeof", r"sizeof\(Connection\) = (\d+)"),
                        ("resumed", r"(\d+ of \d+) handshakes resumed")):
            m = re.search(rx, r.stdout)
            if m:
                out[key].append(m.group(1))
        out["skipped"] |= "SKIPPED" in r.stdout
    return out


def fmt_opt(v, f):
    return "—" if v is None else format(v, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--counts", default="1:20,1000:60,10000:300", help="viewers:steady seconds, comma-separated")
    ap.add_argument("--ramp-rate", type=int, default=100)
    ap.add_argument("--vod-viewers", type=int, default=50)
    ap.add_argument("--vod-seconds", type=int, default=30)
    ap.add_argument("--vod-repeats", type=int, default=1)
    ap.add_argument("--no-tap-log", action="store_true", help="scale runs without -tap-log")
    ap.add_argument("--https-counts", default="",
                    help="viewers:steady seconds of scale runs over https (verified TLS), e.g. 10000:120")
    ap.add_argument("--skip", default="", help="any of scale,vod,tls")
    ap.add_argument("--json", help="also write all results to this file")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # ulimit -n within the hard limit
    workdir = tempfile.mkdtemp(prefix="hls-swarm-native-bench-")
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "nofile": hard, "cores": os.cpu_count(), "load_before": os.getloadavg()}
    try:
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short",
                                 "HEAD"], capture_output=True, text=True).stdout.strip()
        results["commit"] = commit
        binary = os.path.join(workdir, "hls-swarm")
        shutil.copy2(os.path.join(args.build, "hls-swarm"), binary)
        if "scale" not in skip:
            results["scale"] = []
            for spec in args.counts.split(","):
                n, _, steady = spec.partition(":")
                n, steady = int(n), int(steady or 300)
                print(f"scale: {n} native viewers, ramp {args.ramp_rate}/s, {steady} s steady ...",
                      file=sys.stderr, flush=True)
                results["scale"].append(run_scale(binary, n, args.ramp_rate, steady, workdir, not args.no_tap_log))
            for spec in filter(None, args.https_counts.split(",")):
                n, _, steady = spec.partition(":")
                n, steady = int(n), int(steady or 300)
                print(f"scale: {n} native viewers over https ...", file=sys.stderr, flush=True)
                results["scale"].append(run_scale(binary, n, args.ramp_rate, steady, workdir,
                                                  not args.no_tap_log, https=True))
        if "vod" not in skip:
            print(f"vod: {args.vod_viewers} viewers -pace=false vs wrk, {args.vod_seconds} s each ...",
                  file=sys.stderr, flush=True)
            results["vod"], results["vod_media"] = run_vod(binary, args.vod_viewers, args.vod_seconds, workdir,
                                                           args.vod_repeats)
        if "tls" not in skip:
            results["tls_memory"] = run_tls_memory(args.build)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    print(f"Date {results['date']}, commit {results.get('commit')}, {results['cores']} cores, "
          f"nofile {results['nofile']}, load before {results['load_before'][0]:.2f}\n")
    scale = results.get("scale", [])
    base = next((r for r in scale if r["viewers"] == 1), None)
    if scale:
        print("| viewers | ramp/s achieved | peak active | hls-swarm peak RSS | RSS after ramp | RSS per viewer "
              "| CPU s per viewer-minute (steady) | segment requests: hls-swarm / nginx log | segment data "
              "| rebuffer events | errors | restarts | machine busy |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in scale:
            per = "—"
            if base and r is not base:
                per = f"{(r['rss_after_ramp_mb'] - base['rss_after_ramp_mb']) * 1024 / (r['viewers'] - 1):.1f} kB"
            print(f"| {r['viewers']}{' https' if r.get('https') else ''} | {r['achieved']:.1f} | {r['peak_active']} | {r['peak_rss_mb']:.1f} MB | "
                  f"{r['rss_after_ramp_mb']:.1f} MB | {per} | {fmt_opt(r['steady_cpu_per_viewer_min'], '.5f')} | "
                  f"{r['seg_requests']} / {r['log_segs']} | {r['mbit_s']:.1f} Mbit/s | {r['rebuffer_events']} | "
                  f"{r['errors']} | {r['restarts']} | {r['machine_busy_pct']:.0f} % |")
        print()
        for r in scale:
            print(f"- {r['viewers']} viewers: exit {r['exit']}, total CPU {r['cpu_total']:.1f} s over "
                  f"{r['duration_s']:.0f} s (ramp {fmt_opt(r['ramp_cpu'], '.1f')} s), nginx "
                  f"{fmt_opt(r.get('nginx_core_pct'), '.0f')} % of a core in the steady window, requests "
                  f"{r['requests_total']} / {r['log_total']} logged, non-200 in log {r['log_bad']}, "
                  f"tap-log segments {r.get('tap_log_segs')}, viewers whose segment count differs from "
                  f"nginx's {r.get('viewers_differing')} (max {r.get('max_viewer_diff')}), errors "
                  f"{r['errors_by_type']} {r['http_errors']}, tap-log errors {r.get('tap_log_errors')}, "
                  f"segments {r['segments']}, rebuffering {r['rebuffer_s']:.1f} s, first RSS "
                  f"{r['first_rss_mb']:.1f} MB, warnings {r['stderr_tail']}")
        print()
    if results.get("vod"):
        m = results["vod_media"]
        print(f"VOD: {m['segments']} segments, {m['min_kb']:.0f}–{m['max_kb']:.0f} kB (mean {m['mean_kb']:.1f} kB), "
              f"nginx response header {m['header_bytes']:.0f} B\n")
        print("| client | CPU s | segment requests | body bytes | body MB per CPU-second | vs wrk | body MB/s wall "
              "| errors | plays completed | restarts | peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results["vod"]:
            w = next((x for x in results["vod"] if x["tool"].startswith("wrk") and x["repeat"] == r["repeat"]), None)
            ratio = r["bytes_per_cpu_s"] / w["bytes_per_cpu_s"] if w else None
            print(f"| {r['tool']} | {r['cpu_s']:.2f} | {r['requests']} | {r['body_bytes']:.0f} | "
                  f"{r['bytes_per_cpu_s'] / 1e6:.1f} | {fmt_opt(ratio, '.2f')} | {r['bytes_per_wall_s'] / 1e6:.1f} | "
                  f"{r['errors']} | {r.get('plays', '—')} | {r.get('restarts', '—')} | {r['maxrss_mb']:.1f} MB |")
        print()
    if results.get("tls_memory"):
        t = results["tls_memory"]
        rng = lambda xs: (f"{min(map(int, xs))}–{max(map(int, xs))}" if xs else "?")
        print(f"Client memory (ClientMemoryTest, {len(t['tls'])} runs): sizeof(Connection) {rng(t['sizeof'])} B; "
              f"heap per idle kept-alive connection: plain {rng(t['plain'])} B, TLS {rng(t['tls'])} B "
              f"({', '.join(t['resumed'])} handshakes resumed){' (skipped)' if t['skipped'] else ''}")


if __name__ == "__main__":
    main()
