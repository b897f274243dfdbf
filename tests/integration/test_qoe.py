# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 13 acceptance (quality of experience, native engine), three runs at once on one `abr`
origin (360p/540p/720p; BANDWIDTH ~0.95/1.65/2.89 Mbit/s):

- limited link (tbf LIMIT_KBIT, below the top rendition) with -variant highest: rebuffering is
  reported (events > 0, ratio > 0);
- a second limited link (its own namespace pair, a second nginx serving the same files) with
  -variant abr: the viewer settles on a rendition that fits and does not rebuffer after the
  first 20 s (hlsswarm_rebuffer_seconds_total unchanged between the scrape at 20 s and the end);
- unlimited (the client inside the origin's namespace) with -variant abr: the top rendition is
  played at 20 s; its live latency equals now − PDT of the segment at the start position,
  computed here from the playlist, within one segment duration; its /metrics passes
  `promtool check metrics`.
"""
import json
import os
import re
import shutil
import subprocess
import time
import unittest
from datetime import datetime

from harness import (BIN, NetnsPair, Proc, Workdir, parse_metrics, skip_unless_root_netns,
                     start_extra_nginx, start_origin, wait_for)

LIMIT_KBIT = 2500
RUN_S = 45
SETTLE_S = 20
SEGMENT_S = 2
PORT_METRICS = 9464


def shape(net, test):
    tc = subprocess.run(["ip", "netns", "exec", net.origin_ns, "tc", "qdisc", "add", "dev", net.veth_o,
                         "root", "tbf", "rate", f"{LIMIT_KBIT}kbit", "burst", "16kb", "latency", "500ms"],
                        capture_output=True, text=True)
    if tc.returncode != 0:
        test.skipTest(f"tbf unavailable: {tc.stderr.strip()}")


def pdt_ms(value):
    value = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):  # FFmpeg writes +0000
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value).timestamp() * 1000


def start_segment_pdt(playlist):
    """PDT (ms) of the segment a player starts at: RFC 8216 §6.3.3, 3 target durations from
    the end (the segment containing that position)."""
    td, segs, pending, dur, next_pdt = None, [], None, None, None
    for line in playlist.splitlines():
        if line.startswith("#EXT-X-TARGETDURATION:"):
            td = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pending = pdt_ms(line.split(":", 1)[1])  # applies to the next segment (FFmpeg
        elif line.startswith("#EXTINF:"):             # writes it after EXTINF)
            dur = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            pdt = pending if pending is not None else next_pdt
            segs.append([pdt, dur])
            next_pdt = pdt + dur * 1000 if pdt is not None else None
            pending = None
    total = sum(d for _, d in segs)
    pos = max(0.0, total - 3 * max(1, td))
    end = 0.0
    for p, d in segs:
        end += d
        if end > pos:
            return p
    return segs[-1][0]


class QoeTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def swarm(self, wrap, wd, name, variant, port):
        summary = os.path.join(wd, f"{name}.json")
        argv = wrap([BIN, "-engine", "native", "-clients", "1", "-duration", f"{RUN_S}s", "-tui=false",
                     "-metrics-port", str(port), "-variant", variant, "-summary-json", summary,
                     self.url])
        return Proc(argv, wd, name), summary

    def test_rebuffering_abr_and_live_latency(self):
        b = NetnsPair("qb")
        b.veth_o, b.veth_c = b.veth_o + "b", b.veth_c + "b"  # NetnsPair names veths by pid
        with Workdir() as wd, NetnsPair("qa") as a, b:
            procs = []
            try:
                origin, odir = start_origin(wd, "abr", a.origin_ip, 8080, a.in_origin)
                procs.append(origin)
                nginx_b, _ = start_extra_nginx(wd, odir, "nginx-b", f"{b.origin_ip}:8080", b.in_origin)
                procs.append(nginx_b)
                shape(a, self)
                shape(b, self)
                self.url = f"http://{a.origin_ip}:8080/master.m3u8"
                master = a.curl(a.origin_ns, self.url)
                self.assertIsNotNone(master)
                bws = sorted(int(m) for m in re.findall(r"BANDWIDTH=(\d+)", master))
                self.assertEqual(len(bws), 3, master)
                uris = [l for l in master.splitlines() if l and not l.startswith("#")]
                media_url = f"http://{a.origin_ip}:8080/{uris[0]}"
                self.assertTrue(wait_for(lambda: b.curl(b.origin_ns, f"http://{b.origin_ip}:8080/master.m3u8"), 10))
                # Three runs at once; the live-latency reference is taken just before the
                # unlimited viewer starts.
                highest, highest_json = self.swarm(a.in_client, wd, "highest", "highest", PORT_METRICS)
                procs.append(highest)
                self.url = f"http://{b.origin_ip}:8080/master.m3u8"
                abr_lim, abr_lim_json = self.swarm(b.in_client, wd, "abr-limited", "abr", PORT_METRICS)
                procs.append(abr_lim)
                self.url = f"http://{a.origin_ip}:8080/master.m3u8"
                playlist = a.curl(a.origin_ns, media_url)
                ref_now = time.time() * 1000
                abr_fast, abr_fast_json = self.swarm(a.in_origin, wd, "abr-fast", "abr", PORT_METRICS)
                procs.append(abr_fast)
                expected_latency = (ref_now - start_segment_pdt(playlist)) / 1000
                started = time.time()
                metrics_url = f"http://127.0.0.1:{PORT_METRICS}/metrics"
                time.sleep(max(0.0, started + SETTLE_S - time.time()))
                lim_20 = parse_metrics(b.curl(b.client_ns, metrics_url))
                fast_20 = parse_metrics(a.curl(a.origin_ns, metrics_url))
                time.sleep(max(0.0, started + RUN_S - 8 - time.time()))
                fast_text = a.curl(a.origin_ns, metrics_url)
                for p in (highest, abr_lim, abr_fast):
                    self.assertEqual(p.wait(RUN_S + 30), 0, p.stderr()[-3000:])
                    self.assertIn("shutdown complete", p.stderr() + p.stdout())
            finally:
                for p in reversed(procs):
                    p.stop()
            reports = {}
            for name, path in (("highest", highest_json), ("abr-limited", abr_lim_json),
                               ("abr-fast", abr_fast_json)):
                with open(path) as f:
                    reports[name] = json.load(f)["qoe"]
                q = reports[name]
                print(f"\n[{name}] watch {q['watch_seconds']:.1f} s, rebuffer {q['rebuffer_events']} events "
                      f"{q['rebuffer_seconds']:.2f} s (ratio {q['rebuffer_ratio']:.3f}), switches "
                      f"{q['rendition_switches']}, media by rendition {q['media_seconds_by_rendition']}, "
                      f"played bitrate {q['played_bitrate_bps'] / 1000:.0f} kbit/s, live latency p50 "
                      f"{q['live_latency_seconds']['p50']:.2f} s (n={q['live_latency_seconds']['count']})")

            # -variant highest on a link below its bitrate rebuffers.
            h = reports["highest"]
            self.assertGreater(h["rebuffer_events"], 0)
            self.assertGreater(h["rebuffer_ratio"], 0)
            self.assertEqual(list(h["media_seconds_by_rendition"]), [str(bws[-1])])

            # abr on the same limit: a rendition that fits, no rebuffering after the first 20 s.
            q = reports["abr-limited"]
            goodput = LIMIT_KBIT * 1000 * 1448 / 1514
            rend_20 = {k: v for k, v in lim_20.items() if k.startswith("hlsswarm_viewers_by_rendition{") and v > 0}
            self.assertEqual(len(rend_20), 1, rend_20)
            settled = int(re.search(r'rendition="(\d+)"', next(iter(rend_20)))[1])
            self.assertLess(settled, bws[-1])
            self.assertLess(settled, goodput)
            self.assertEqual(q["media_seconds_by_rendition"].get(str(bws[-1]), 0), 0)
            self.assertAlmostEqual(q["rebuffer_seconds"], lim_20["hlsswarm_rebuffer_seconds_total"], delta=0.001,
                                   msg="rebuffering after the first 20 s")
            self.assertGreater(q["watch_seconds"], lim_20["hlsswarm_watch_seconds_total"] + 15)

            # abr unlimited: the top rendition within 20 s.
            self.assertEqual(fast_20.get(f'hlsswarm_viewers_by_rendition{{rendition="{bws[-1]}"}}'), 1.0)
            f = reports["abr-fast"]
            self.assertGreaterEqual(f["rendition_switches"], 1)
            # Live latency: now − PDT of the start segment, within one segment duration.
            lat = f["live_latency_seconds"]
            print(f"[abr-fast] live latency p50 {lat['p50']:.2f} s, min {lat['min']:.2f}, max "
                  f"{lat['max']:.2f}; expected from the playlist {expected_latency:.2f} s")
            self.assertGreaterEqual(lat["count"], RUN_S - 10)
            self.assertLessEqual(abs(lat["p50"] - expected_latency), SEGMENT_S)

            # The native engine's /metrics (every QoE family included) passes promtool.
            self.assertIn("hlsswarm_live_latency_seconds_bucket", fast_text or "")
            if shutil.which("promtool"):
                check = subprocess.run(["promtool", "check", "metrics"], input=fast_text, text=True,
                                       capture_output=True)
                self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            else:
                print("promtool missing: `promtool check metrics` not run")


if __name__ == "__main__":
    unittest.main(verbosity=2)
