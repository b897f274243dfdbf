# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 15, several streams in one run: two origins on loopback (the bundled origin and a
second nginx serving its directory, each on a free port with its own access log), weights 3:1.

Native engine, 40 viewers: 30 viewers on the first stream and 10 on the second, each viewer on
the stream smooth weighted round robin gives its id; the per-stream request counts of the JSON
report equal each origin's access log exactly; the exit report has the per-stream table; the
metrics carry hlsswarm_stream_* under stream="INDEX:HOST"; the second URL's query token never
appears in the logs. FFmpeg engine, 8 viewers: 6 and 2, counts exact through the tap.
"""
import json
import os
import re
import time
import unittest
import urllib.request
from collections import Counter

from harness import (BIN, Proc, Workdir, free_port, parse_metrics, read_access_log,
                     start_extra_nginx, start_origin)

UA = "streams-test"
TOKEN = "s3cr3tT0ken"


def swrr(weights, n):
    """Smooth weighted round robin (nginx's): the stream of each of n consecutive ids."""
    current = [0] * len(weights)
    total = sum(weights)
    out = []
    for _ in range(n):
        best = 0
        for i, w in enumerate(weights):
            current[i] += w
            if current[i] > current[best]:
                best = i
        current[best] -= total
        out.append(best)
    return out


class StreamsTest(unittest.TestCase):
    def run_two(self, engine, viewers, duration):
        with Workdir() as wd:
            port_a, port_b, mport = free_port(), free_port(), free_port()
            origin, odir = start_origin(wd, "tiny", port=port_a)
            extra = swarm = None
            try:
                extra, log_b = start_extra_nginx(wd, odir, "nginx-b", f"127.0.0.1:{port_b}")
                summary = os.path.join(wd, "summary.json")
                urls = [f"http://127.0.0.1:{port_a}/stream.m3u8",
                        f"http://127.0.0.1:{port_b}/stream.m3u8?token={TOKEN}"]
                swarm = Proc([BIN, "-engine", engine, "-clients", str(viewers), "-ramp-rate", "50",
                              "-duration", duration, "-tui=false", "-user-agent", UA,
                              "-metrics", f"127.0.0.1:{mport}", "-summary-json", summary,
                              "-weights", "3,1"] + urls, wd, "swarm")
                metrics, scrapes = {}, 0
                deadline = time.monotonic() + 30
                while swarm.p.poll() is None and time.monotonic() < deadline:
                    try:
                        text = urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics",
                                                      timeout=2).read().decode()
                        m = parse_metrics(text)
                        scrapes += 1
                        if m.get('hlsswarm_stream_clients_target{stream="0:127.0.0.1"}') == \
                                viewers * 3 // 4:
                            metrics = m
                    except OSError:
                        pass
                    time.sleep(0.5)
                self.assertEqual(swarm.wait(30), 0, swarm.stderr()[-3000:])
            finally:
                if swarm:
                    swarm.stop()
                if extra:
                    extra.stop()
                origin.stop()
            with open(summary) as f:
                report = json.load(f)
            logs = [[r for r in read_access_log(p) if r["ua"].startswith(UA + "/client-")]
                    for p in (os.path.join(odir, "access.log"), log_b)]
            self.assertTrue(metrics, f"{scrapes} scrapes, none with the stream targets")
            return report, logs, swarm.stdout(), swarm.stderr(), metrics

    def check(self, engine, viewers, duration):
        report, logs, out, err, metrics = self.run_two(engine, viewers, duration)
        expect = swrr([3, 1], viewers)
        want = [expect.count(0), expect.count(1)]
        streams = report["streams"]
        self.assertEqual([s["label"] for s in streams], ["0:127.0.0.1", "1:127.0.0.1"])
        self.assertEqual([s["weight"] for s in streams], [3, 1])
        self.assertEqual([s["viewers"]["target"] for s in streams], want)
        for i, log in enumerate(logs):
            ids = {int(r["ua"].rsplit("-", 1)[1]) for r in log}
            # Every viewer of the stream, and only those, asked this origin.
            self.assertEqual(ids, {v for v in range(viewers) if expect[v] == i},
                             f"origin {i}: viewer ids {sorted(ids)}")
        counts = [s["requests"]["total"] for s in streams]
        print(f"\n[{engine}] viewers per stream {want}; requests per stream {counts}; "
              f"origin logs {[len(l) for l in logs]}; by kind "
              f"{[dict(Counter(r['uri'].endswith('.m3u8') for r in l)) for l in logs]}")
        self.assertEqual(counts, [len(l) for l in logs])
        self.assertEqual(sum(counts), report["requests"]["total"])
        self.assertGreater(min(counts), 0)
        # The exit report's per-stream table and the redacted URLs.
        self.assertRegex(out, r"0:127\.0\.0\.1\s+3\s+%d\s" % want[0])
        self.assertRegex(out, r"1:127\.0\.0\.1\s+1\s+%d\s" % want[1])
        self.assertIn("token=REDACTED", out + err)
        self.assertNotIn(TOKEN, out + err + json.dumps(report))
        # Metrics during the run: per-stream targets under bounded labels.
        self.assertEqual(metrics.get('hlsswarm_stream_clients_target{stream="1:127.0.0.1"}'),
                         want[1], sorted(k for k in metrics if "stream_" in k)[:20])
        self.assertTrue(any(k.startswith('hlsswarm_stream_requests_total{stream="1:127.0.0.1"')
                            for k in metrics))
        return report

    def test_native_40_viewers_3_to_1(self):
        self.check("native", 40, "5s")

    def test_ffmpeg_8_viewers_3_to_1(self):
        report = self.check("ffmpeg", 8, "5s")
        self.assertEqual(report["tap"]["source"], "tap")


if __name__ == "__main__":
    unittest.main(verbosity=2)
