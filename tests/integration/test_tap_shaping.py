# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 3 acceptance: a link slower than the stream. The origin's veth is limited with tbf to
1.5 Mbit/s, below the default profile's ~2.8 Mbit/s: segments download slower than real time
(ratio < 1), the viewer is reported as buffering, and the throughput the tap reports matches the
limit within 10 %."""
import json
import os
import subprocess
import unittest

from harness import BIN, NetnsPair, Proc, Workdir, skip_unless_root_netns, start_origin

LIMIT_KBIT = 1500


class TapShapingTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def test_rate_limited_origin(self):
        with Workdir() as wd, NetnsPair("s") as net:
            origin, odir = start_origin(wd, "default", net.origin_ip, 8080, net.in_origin)
            swarm = None
            try:
                tc = subprocess.run(["ip", "netns", "exec", net.origin_ns, "tc", "qdisc", "add", "dev", net.veth_o,
                                     "root", "tbf", "rate", f"{LIMIT_KBIT}kbit", "burst", "16kb", "latency", "500ms"],
                                    capture_output=True, text=True)
                if tc.returncode != 0:
                    self.skipTest(f"tbf unavailable: {tc.stderr.strip()}")
                summary = os.path.join(wd, "summary.json")
                tap_log = os.path.join(wd, "tap.jsonl")
                swarm = Proc(net.in_client([BIN, "-clients", "1", "-duration", "45s", "-tui=false",
                                            "-metrics-port", "0", "-summary-json", summary, "-tap-log", tap_log,
                                            f"http://{net.origin_ip}:8080/stream.m3u8"]), wd, "swarm")
                self.assertEqual(swarm.wait(120), 0, swarm.stderr()[-3000:])
            finally:
                if swarm:
                    swarm.stop()
                origin.stop()
            with open(summary) as f:
                tap = json.load(f)["tap"]
            ratio_p50 = tap["segment_download_ratio"]["p50"]
            kbps = tap["viewer_throughput_kbps"]["p50"]
            segs = [json.loads(l) for l in open(tap_log)]
            segs = [r for r in segs if r.get("kind") == "segment" and r["error"] == "none"]
            seg_kbps = sum(r["body_bytes"] for r in segs) * 8 / sum(r["total_ms"] for r in segs)
            print(f"\nratio p50 {ratio_p50:.2f}, buffering events {tap['buffering_events']}, "
                  f"viewer throughput {kbps:.0f} kbit/s, while downloading segments {seg_kbps:.0f} kbit/s, "
                  f"limit {LIMIT_KBIT} kbit/s")
            self.assertLess(ratio_p50, 1.0)
            self.assertGreaterEqual(tap["buffering_events"], 1)
            # tbf counts whole Ethernet frames; TCP payload is at most 1448 of each 1514 bytes.
            goodput = LIMIT_KBIT * 1448 / 1514
            self.assertAlmostEqual(kbps, goodput, delta=0.1 * goodput)


if __name__ == "__main__":
    unittest.main(verbosity=2)
