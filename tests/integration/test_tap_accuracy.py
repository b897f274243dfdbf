# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 3 acceptance: what the tap measures per viewer equals the origin's access log.

20 viewers for 60 s on the `default` and `abr` test-origin profiles, origin and hls-swarm in
separate network namespaces. For each viewer (matched by user agent): request count equal to
the log's, bytes within 0.5 % of the log's $body_bytes_sent sum; segment download time p50
within 20 % (or 5 ms) of nginx's $request_time p50.
"""
import json
import os
import statistics
import unittest
from collections import defaultdict

from harness import (BIN, NetnsPair, Proc, Workdir, read_access_log, skip_unless_root_netns,
                     start_origin)

UA = "it-tap"
VIEWERS = 20


def load_tap_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") != "tunnel":
                rows.append(r)
    return rows


class TapAccuracyTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def run_profile(self, profile, path):
        with Workdir() as wd, NetnsPair("t" + profile[:2]) as net:
            origin, odir = start_origin(wd, profile, net.origin_ip, 8080, net.in_origin)
            swarm = None
            try:
                tap_log = os.path.join(wd, "tap.jsonl")
                summary = os.path.join(wd, "summary.json")
                swarm = Proc(net.in_client([BIN, "-clients", str(VIEWERS), "-ramp-rate", "10",
                                            "-duration", "60s", "-tui=false", "-metrics-port", "0",
                                            "-user-agent", UA, "-tap-log", tap_log, "-summary-json", summary,
                                            f"http://{net.origin_ip}:8080{path}"]), wd, "swarm")
                self.assertEqual(swarm.wait(120), 0, swarm.stderr()[-3000:])
            finally:
                if swarm:
                    swarm.stop()
                origin.stop()
            tap = load_tap_log(tap_log)
            log = [r for r in read_access_log(os.path.join(odir, "access.log"))
                   if r["ua"].startswith(UA + "/client-")]
            with open(summary) as f:
                report = json.load(f)
            print(f"\n[{profile}] tap records {len(tap)}, origin log lines {len(log)}; by kind:",
                  {k: v["requests"] for k, v in report["tap"]["by_kind"].items()})
            self.compare(tap, log)

    def compare(self, tap, log):
        tap_by = defaultdict(list)
        for r in tap:
            tap_by[r["viewer"]].append(r)
        log_by = defaultdict(list)
        for r in log:
            log_by[int(r["ua"].rsplit("-", 1)[1])].append(r)
        self.assertEqual(sorted(tap_by), list(range(VIEWERS)))
        self.assertEqual(sorted(log_by), list(range(VIEWERS)))
        worst_bytes = 0.0
        for v in range(VIEWERS):
            t, l = tap_by[v], log_by[v]
            self.assertEqual(len(t), len(l), f"viewer {v}: tap {len(t)} requests, origin log {len(l)}")
            # Requests in flight when the run stopped: nginx logs what it wrote into the socket,
            # the tap what it passed on before FFmpeg went away. Leave those out of the byte sums.
            aborted = [r["url"].split("/", 3)[-1] for r in t if r["error"] == "client_aborted"]
            self.assertLessEqual(len(aborted), 2, f"viewer {v}: {aborted}")
            t_done = [r for r in t if r["error"] != "client_aborted"]
            l_done = list(l)
            for uri in aborted:
                match = [i for i, r in enumerate(l_done) if r["uri"].lstrip("/") == uri]
                if match:
                    del l_done[match[-1]]
            tb = sum(r["body_bytes"] for r in t_done)
            lb = sum(r["bytes"] for r in l_done)
            rel = abs(tb - lb) / max(lb, 1)
            worst_bytes = max(worst_bytes, rel)
            self.assertLessEqual(rel, 0.005, f"viewer {v}: tap {tb} bytes, origin log {lb}")
        seg_tap = [r["total_ms"] for r in tap if r["kind"] == "segment" and r["error"] == "none"]
        seg_log = [r["rtime"] * 1000 for r in log if r["uri"].endswith(".ts") and r["status"] in (200, 206)]
        p50_tap, p50_log = statistics.median(seg_tap), statistics.median(seg_log)
        print(f"worst per-viewer byte difference {worst_bytes * 100:.4f} %; segment download p50: "
              f"tap {p50_tap:.2f} ms, nginx {p50_log:.2f} ms ({len(seg_tap)} / {len(seg_log)} segments)")
        self.assertLessEqual(abs(p50_tap - p50_log), max(0.2 * p50_log, 5.0))

    def test_default_profile(self):
        self.run_profile("default", "/stream.m3u8")

    def test_abr_profile(self):
        self.run_profile("abr", "/master.m3u8")


if __name__ == "__main__":
    unittest.main(verbosity=2)
