# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 13 acceptance (quality of experience, native engine), four runs at once, 45 s each:

- ABR origin: `fake_abr_origin.py` (three renditions with the BANDWIDTH values of the bundled
  `abr` profile, 0.95/1.65/2.89 Mbit/s, live, exact real time without an encoder: the bundled
  one cannot keep real time on a loaded 2-core machine, and its late segments would be
  rebuffering of their own);
- link limited with tbf to LIMIT_KBIT (below the top rendition) with -variant highest:
  rebuffering is reported (events > 0, ratio > 0);
- a second link with the same limit (its own namespace pair and origin) with -variant abr: the
  viewer settles on a rendition that fits and does not rebuffer after the first 20 s
  (hlsswarm_rebuffer_seconds_total unchanged between the scrape at 20 s and the end);
- unlimited (the client inside the origin's namespace) with -variant abr: the top rendition is
  played at 20 s; its /metrics passes `promtool check metrics`;
- live latency on the bundled origin (`tiny` profile): the viewer's latency before any stall
  (the smallest sample: a stall only adds to it) equals now − PDT of the segment at the start
  position, computed here from the playlist just before the viewer starts, within one segment
  duration. Same check on the ABR origin.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
from datetime import datetime

from harness import (BIN, NetnsPair, Proc, Workdir, parse_metrics, skip_unless_root_netns,
                     start_origin, wait_for)

LIMIT_KBIT = 2200
RUN_S = 45
SETTLE_S = 20
SEGMENT_S = 2
PORT_METRICS = 9464
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_abr_origin.py")


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
            pending = pdt_ms(line.split(":", 1)[1])  # for the next URI (FFmpeg writes it after
        elif line.startswith("#EXTINF:"):             # EXTINF)
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

    def swarm(self, wrap, wd, name, variant, url, extra=()):
        summary = os.path.join(wd, f"{name}.json")
        argv = wrap([BIN, "-engine", "native", "-clients", "1", "-duration", f"{RUN_S}s", "-tui=false",
                     "-metrics-port", str(PORT_METRICS), "-variant", variant, "-summary-json", summary,
                     *extra, url])
        return Proc(argv, wd, name), summary

    def test_rebuffering_abr_and_live_latency(self):
        b = NetnsPair("qb")
        b.veth_o, b.veth_c = b.veth_o + "b", b.veth_c + "b"  # NetnsPair names veths by pid
        with Workdir() as wd, NetnsPair("qa") as a, b:
            procs = []
            try:
                for net in (a, b):
                    fake = Proc(net.in_origin([sys.executable, "-u", FAKE, net.origin_ip, "8080"]), wd,
                                f"fake-{net.tag}")
                    procs.append(fake)
                    self.assertTrue(wait_for(lambda: "ready" in fake.stdout(), 10), fake.stderr())
                    shape(net, self)
                tiny, _ = start_origin(wd, "tiny", b.origin_ip, 8081, b.in_origin)
                procs.append(tiny)
                abr_url = f"http://{a.origin_ip}:8080/master.m3u8"
                master = a.curl(a.origin_ns, abr_url)
                bws = sorted(int(m) for m in re.findall(r"BANDWIDTH=(\d+)", master or ""))
                self.assertEqual(len(bws), 3, master)
                tiny_url = f"http://{b.origin_ip}:8081/stream.m3u8"
                self.assertTrue(wait_for(lambda: (b.curl(b.origin_ns, tiny_url) or "").count("#EXTINF") >= 3, 30))
                # The live-latency references are taken just before their viewers start.
                ref = {}
                for name, net, url in (("abr-fast", a, f"http://{a.origin_ip}:8080/360p/stream.m3u8"),
                                       ("tiny", b, tiny_url)):
                    playlist = net.curl(net.origin_ns, url)
                    ref[name] = (time.time() * 1000 - start_segment_pdt(playlist)) / 1000
                    if name == "abr-fast":
                        fast, fast_json = self.swarm(a.in_origin, wd, name, "abr", abr_url)
                        procs.append(fast)
                    else:
                        lat, lat_json = self.swarm(b.in_origin, wd, name, "first", tiny_url)
                        procs.append(lat)
                started = time.time()
                highest, highest_json = self.swarm(a.in_client, wd, "highest", "highest", abr_url)
                procs.append(highest)
                records_path = os.path.join(wd, "abr-limited.jsonl")
                lim, lim_json = self.swarm(b.in_client, wd, "abr-limited", "abr",
                                           f"http://{b.origin_ip}:8080/master.m3u8", ("-tap-log", records_path))
                procs.append(lim)
                metrics_url = f"http://127.0.0.1:{PORT_METRICS}/metrics"
                time.sleep(max(0.0, started + SETTLE_S - time.time()))
                lim_20 = parse_metrics(b.curl(b.client_ns, metrics_url))
                fast_20 = parse_metrics(a.curl(a.origin_ns, metrics_url))
                time.sleep(max(0.0, started + RUN_S - 8 - time.time()))
                fast_text = a.curl(a.origin_ns, metrics_url)
                for p in (fast, lat, highest, lim):
                    self.assertEqual(p.wait(RUN_S + 30), 0, p.stderr()[-3000:])
                    self.assertIn("shutdown complete", p.stderr() + p.stdout())
            finally:
                for p in reversed(procs):
                    p.stop()
            reports = {}
            for name, path in (("highest", highest_json), ("abr-limited", lim_json),
                               ("abr-fast", fast_json), ("tiny", lat_json)):
                with open(path) as f:
                    reports[name] = json.load(f)["qoe"]
                q = reports[name]
                lt = q["live_latency_seconds"]
                print(f"\n[{name}] watch {q['watch_seconds']:.1f} s, rebuffer {q['rebuffer_events']} events "
                      f"{q['rebuffer_seconds']:.2f} s (ratio {q['rebuffer_ratio']:.3f}), switches "
                      f"{q['rendition_switches']}, media by rendition {q['media_seconds_by_rendition']}, "
                      f"played bitrate {q['played_bitrate_bps'] / 1000:.0f} kbit/s, live latency min "
                      f"{lt['min']:.2f} p50 {lt['p50']:.2f} max {lt['max']:.2f} s (n={lt['count']})"
                      + (f"; expected {ref[name]:.2f} s" if name in ref else ""))

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
            self.assertLess(settled, 0.95 * goodput)
            self.assertEqual(q["media_seconds_by_rendition"].get(str(bws[-1]), 0), 0)
            self.assertAlmostEqual(q["rebuffer_seconds"], lim_20["hlsswarm_rebuffer_seconds_total"], delta=0.001,
                                   msg="rebuffering after the first 20 s")
            self.assertGreater(q["watch_seconds"], lim_20["hlsswarm_watch_seconds_total"] + 15)

            # abr unlimited: the top rendition within 20 s.
            self.assertEqual(fast_20.get(f'hlsswarm_viewers_by_rendition{{rendition="{bws[-1]}"}}'), 1.0)
            self.assertGreaterEqual(reports["abr-fast"]["rendition_switches"], 1)

            # Live latency before any stall = now − PDT of the start segment, within one segment.
            for name in ("tiny", "abr-fast"):
                lt = reports[name]["live_latency_seconds"]
                self.assertGreaterEqual(lt["count"], RUN_S - 10, name)
                self.assertLessEqual(abs(lt["min"] - ref[name]), SEGMENT_S, name)

            # Cache status (issue 13 part 3): the origin answers X-Cache MISS for segment numbers
            # divisible by 3, HIT otherwise; the report's per-kind counts and hit ratio equal
            # that pattern over the segments this viewer received.
            with open(lim_json) as f:
                tap = json.load(f)["tap"]["by_kind"]
            with open(records_path) as f:
                recs = [json.loads(line) for line in f]
            nums = [int(re.search(r"seg_(\d+)\.ts", r["url"])[1]) for r in recs
                    if r.get("kind") == "segment" and r["status"] > 0]
            hits = sum(1 for n in nums if n % 3 != 0)
            print(f"[cache] segments {len(nums)}: hit {hits}, miss {len(nums) - hits}; report "
                  f"{tap['segment']['cache']}, ratio {tap['segment']['cache_hit_ratio']}")
            self.assertEqual(tap["segment"]["cache"], {"hit": hits, "miss": len(nums) - hits})
            self.assertEqual(tap["segment"]["cache_hit_ratio"], hits / len(nums))
            self.assertIsNone(tap["playlist"]["cache_hit_ratio"])

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
