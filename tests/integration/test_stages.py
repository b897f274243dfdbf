# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 15, load shapes: -stages drives the target along the plan.

Native viewers against the bundled origin on loopback with
-stages 4s:20,3s:20,2s:40,3s:10 (ramp 5/s, hold, join storm 10/s, ramp down). /api/status is read
about every 0.5 s: the target it reports equals the plan at the elapsed time it reports, within
one viewer; viewers' first requests (-tap-log) per ramp stage match the stage's slope; the status
line names the stage; the run ends at the plan's end (12 s).
"""
import json
import os
import time
import unittest
import urllib.request

from harness import BIN, Proc, Workdir, free_port, start_origin

STAGES = [(4, 20), (3, 20), (2, 40), (3, 10)]


def plan(t):
    start, prev = 0.0, 0
    for d, target in STAGES:
        if t < start + d:
            return prev + (target - prev) * (t - start) / d
        start += d
        prev = target
    return prev


class StagesTest(unittest.TestCase):
    def test_target_follows_the_plan(self):
        with Workdir() as wd:
            origin_port = free_port()
            origin, _ = start_origin(wd, "tiny", port=origin_port)
            port = free_port()
            records = os.path.join(wd, "records.jsonl")
            spec = ",".join(f"{d}s:{n}" for d, n in STAGES)
            swarm = Proc([BIN, "-engine", "native", "-stages", spec, "-tui=false",
                          "-metrics", f"127.0.0.1:{port}", "-tap-log", records,
                          f"http://127.0.0.1:{origin_port}/stream.m3u8"], wd, "swarm")
            samples = []
            try:
                deadline = time.monotonic() + 40
                while swarm.p.poll() is None and time.monotonic() < deadline:
                    try:
                        st = json.loads(urllib.request.urlopen(
                            f"http://127.0.0.1:{port}/api/status", timeout=2).read())
                        samples.append((st["duration_seconds"], st["viewers"]["target"]))
                    except OSError:
                        pass
                    time.sleep(0.5)
                self.assertEqual(swarm.wait(30), 0, swarm.stderr()[-2000:])
            finally:
                swarm.stop()
                origin.stop()
            log = swarm.stderr() + swarm.stdout()
            self.assertIn("stage 3/4 ramp 20→40", log)
            self.assertIn("duration reached", log)
            running = [(t, n) for t, n in samples if 0 < t < 11.9]
            self.assertGreater(len(running), 15, samples)
            worst = max(abs(n - plan(t)) for t, n in running)
            print(f"\n{len(running)} samples; largest |target - plan| {worst:.2f} viewers")
            for t, n in running:
                self.assertLessEqual(abs(n - plan(t)), 1.0, f"t={t:.2f}: target {n}, plan {plan(t):.1f}")

            first = {}
            with open(records) as f:
                for line in f:
                    r = json.loads(line)
                    first[r["viewer"]] = min(first.get(r["viewer"], r["start"]), r["start"])
            t0 = min(first.values())
            starts = sorted(t - t0 for t in first.values())
            # Stage 1: 20 viewers over 4 s (5/s, one every 0.2 s); stage 3: 20 more over 2 s
            # (10/s). Hold stages separate them, so the windows can be generous; the slope is
            # the span of each group's starts (plus up to -ramp-jitter's 0.1 s).
            g1 = [t for t in starts if t < 5.5]
            g3 = [t for t in starts if 5.5 <= t < 10.5]
            span1, span3 = g1[-1] - g1[0], g3[-1] - g3[0]
            print(f"first requests: {len(g1)} in stage 1 over {span1:.2f} s (plan 20 over 3.8 s), "
                  f"{len(g3)} in stage 3 over {span3:.2f} s (plan 20 over 1.9 s)")
            self.assertEqual((len(g1), len(g3)), (20, 20))
            self.assertAlmostEqual(19 / span1, 5, delta=0.75)
            self.assertAlmostEqual(19 / span3, 10, delta=1.5)
            self.assertEqual(len(starts), 40)


if __name__ == "__main__":
    unittest.main(verbosity=2)
