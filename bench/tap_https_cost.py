#!/usr/bin/env python3
# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Benchmark: what https interception costs the tap. Runs N FFmpeg viewers through the tap for
S seconds over http and then over https (nginx with a certificate made by the openssl CLI, the
tap verifying it against that CA), origin and hls-swarm in network namespaces, and prints
hls-swarm's own CPU seconds (utime + stime of its process: the tap is in it, FFmpeg is not) and
peak RSS (VmHWM), sampled every 0.5 s, with the run's request total and errors.

Needs root (network namespaces). Every process is stopped by its PID; namespaces and the
temporary directory are removed.

Usage: bench/tap_https_cost.py VIEWERS SECONDS   (README numbers: 20 40, and 2 20)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/integration"))
from harness import BIN, NetnsPair, Proc, Workdir, start_origin, start_tls_nginx  # noqa: E402


def sample(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm_kb = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm_kb = int(line.split()[1])
    return cpu, hwm_kb


def main():
    viewers, seconds = int(sys.argv[1]), int(sys.argv[2])
    with Workdir() as wd, NetnsPair("tbc") as net:
        origin, odir = start_origin(wd, "default", net.origin_ip, 8080, net.in_origin)
        tls, _, ca = start_tls_nginx(wd, odir, net.origin_ip, 8443, net.in_origin)
        try:
            for scheme, port in (("http", 8080), ("https", 8443)):
                summary = os.path.join(wd, scheme + ".json")
                # `ip netns exec` execs hls-swarm: the PID is hls-swarm's own.
                p = Proc(net.in_client([BIN, "-clients", str(viewers), "-ramp-rate", "20",
                                        "-duration", f"{seconds}s", "-tui=false", "-metrics-port",
                                        "0", "-summary-json", summary,
                                        f"{scheme}://{net.origin_ip}:{port}/stream.m3u8"]),
                         wd, scheme, env=dict(os.environ, SSL_CERT_FILE=ca))
                last = (0.0, 0)
                start = time.time()
                while p.p.poll() is None and time.time() - start < seconds + 60:
                    try:
                        last = sample(p.pid)
                    except OSError:
                        break
                    time.sleep(0.5)
                p.wait(30)
                p.stop()
                with open(summary) as f:
                    report = json.load(f)
                print(f"{scheme}: {viewers} viewers {seconds} s: hls-swarm CPU {last[0]:.2f} s, "
                      f"peak RSS {last[1] / 1024:.1f} MB; requests "
                      f"{sum(k['requests'] for k in report['tap']['by_kind'].values())}, "
                      f"errors {report['errors']['total']}")
        finally:
            tls.stop()
            origin.stop()


if __name__ == "__main__":
    main()
