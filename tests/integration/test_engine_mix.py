# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 14 part 3, a mixed audience: `-engine-mix native:50,ffmpeg:50` against the bundled
LL-HLS origin (free port on loopback), 6 viewers for 20 s, both engines in one process.

- Every viewer plays (segments fetched all run long, HTTP 200), no errors in the report.
- The split: viewer ids 0, 2, 4 are native and 1, 3, 5 FFmpeg (smooth weighted round robin,
  native first, as the mix is written); the report, /api/status and Prometheus show 3 + 3,
  and each engine's request count matches the origin's log rows of its viewers' User-Agents.
- The origin's log tells the engines apart: a native viewer fetches the init section once (as
  hls.js does), FFmpeg 5.1's hls demuxer reopens it with every fMP4 segment.
- Bad values exit 2 with one clear line naming the flag.
"""
import json
import os
import subprocess
import time
import unittest
import urllib.request
from collections import defaultdict

from harness import BIN, Proc, Workdir, free_port, parse_metrics, read_access_log, start_origin

UA = "mix-test"
VIEWERS = 6
NATIVE = {0, 2, 4}


def get(url):
    return urllib.request.urlopen(url, timeout=2).read().decode()


class EngineMixTest(unittest.TestCase):
    def test_native_and_ffmpeg_viewers_on_one_llhls_origin(self):
        with Workdir() as wd:
            port, mport = free_port(), free_port()
            origin, odir = start_origin(wd, "ll-hls", port=port)
            swarm = None
            try:
                summary = os.path.join(wd, "summary.json")
                swarm = Proc([BIN, "-engine-mix", "native:50,ffmpeg:50", "-clients", str(VIEWERS),
                              "-ramp-rate", "10", "-duration", "20s", "-tui=false",
                              "-user-agent", UA, "-metrics", f"127.0.0.1:{mport}",
                              "-summary-json", summary, f"http://127.0.0.1:{port}/stream.m3u8"],
                             wd, "swarm")
                status, metrics = None, {}
                deadline = time.monotonic() + 35
                while swarm.p.poll() is None and time.monotonic() < deadline:
                    try:
                        st = json.loads(get(f"http://127.0.0.1:{mport}/api/status"))
                        if st.get("status", st).get("active") == VIEWERS:
                            status = st
                            metrics = parse_metrics(get(f"http://127.0.0.1:{mport}/metrics"))
                    except (OSError, ValueError):
                        pass
                    time.sleep(1)
                self.assertEqual(swarm.wait(30), 0, swarm.stderr()[-3000:])
            finally:
                if swarm:
                    swarm.stop()
                origin.stop()
            with open(summary) as f:
                report = json.load(f)
            rows = [r for r in read_access_log(os.path.join(odir, "access.log"))
                    if r["ua"].startswith(UA + "/client-")]
            self.check(report, status, metrics, rows, swarm.stdout())

    def check(self, report, status, metrics, rows, out):
        by_viewer = defaultdict(list)
        for r in rows:
            by_viewer[int(r["ua"].rsplit("-", 1)[1])].append(r)
        self.assertEqual(set(by_viewer), set(range(VIEWERS)))
        summary = {}
        for v, rs in sorted(by_viewer.items()):
            segs = [r for r in rs if r["uri"].startswith("/seg_")]
            parts = [r for r in rs if r["uri"].startswith("/part_")]
            inits = [r for r in rs if r["uri"].startswith("/init")]
            summary[v] = (len(rs), len(segs), len(parts), len(inits))
            if v in NATIVE:
                # LL-HLS native viewers play parts (1/3 s) for ~20 s, with room for a loaded
                # machine; the part held at the stop is logged 499.
                self.assertGreaterEqual(len(parts), 15, (v, summary[v]))
                self.assertEqual(segs, [], (v, summary[v]))
                self.assertTrue(all(r["status"] == 200 for r in parts[:-1]), (v, parts))
                self.assertEqual(len(inits), 1, (v, summary[v]))
            else:
                # FFmpeg ignores the LL tags: 2 s segments for ~20 s.
                self.assertGreaterEqual(len(segs), 5, (v, summary[v]))
                self.assertTrue(all(r["status"] == 200 for r in segs), (v, segs))
                self.assertEqual(parts, [], (v, summary[v]))
                self.assertGreater(len(inits), 2, (v, summary[v]))
        print(f"\nper viewer (rows, segments, parts, init): {summary}")

        engines = report["engines"]
        self.assertEqual([e["engine"] for e in engines], ["native", "ffmpeg"])
        self.assertEqual([e["percent"] for e in engines], [50, 50])
        self.assertEqual([e["viewers"]["target"] for e in engines], [3, 3])
        self.assertEqual([e["starts"] for e in engines], [3, 3])
        self.assertEqual([e["errors"]["total"] for e in engines], [0, 0])
        self.assertEqual(report["errors"]["total"], 0, report["errors"])
        self.assertEqual(report["restarts"]["total"], 0, report["restarts"])
        self.assertEqual(report["engine"], "mix")
        # Each engine's measured requests are its viewers' rows in the origin's log (a request
        # cut by the stop may be missing from the log: at most one per viewer).
        for e, ids in zip(engines, (NATIVE, set(range(VIEWERS)) - NATIVE)):
            logged = sum(len(by_viewer[v]) for v in ids)
            self.assertLessEqual(abs(e["requests"] - logged), len(ids), (e["engine"], logged))
        print(f"requests per engine {[e['requests'] for e in engines]}, "
              f"log {len(rows)} rows; report total {report['requests']['total']}")

        # While running: /api/status and Prometheus with the split.
        self.assertIsNotNone(status, "no /api/status with every viewer active")
        st = status.get("status", status)
        self.assertEqual([(e["engine"], e["target"], e["playing"]) for e in st["engines"]],
                         [("native", 3, 3), ("ffmpeg", 3, 3)])
        self.assertEqual(metrics.get('hlsswarm_engine_clients_active{engine="native"}'), 3)
        self.assertEqual(metrics.get('hlsswarm_engine_clients_active{engine="ffmpeg"}'), 3)
        self.assertEqual(metrics.get('hlsswarm_engine_errors_total{engine="ffmpeg"}'), 0)
        # The exit report's per-engine table.
        self.assertRegex(out, r"native\s+50%\s+3\s")
        self.assertRegex(out, r"ffmpeg\s+50%\s+3\s")

    def test_bad_mix_exits_2_with_one_line(self):
        url = f"http://127.0.0.1:{free_port()}/stream.m3u8"
        for args, needle in (
                (["-engine-mix", "native:40,ffmpeg:50"], "the shares add up to 90%, not 100%"),
                (["-engine-mix", "native:50,vlc:50"], "'vlc' is not an engine; choose native or ffmpeg"),
                (["-engine", "native", "-engine-mix", "native:50,ffmpeg:50"],
                 "-engine-mix native:50,ffmpeg:50: conflicts with -engine native")):
            r = subprocess.run([BIN, "-tui=false", *args, url], capture_output=True, text=True,
                               timeout=20)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(needle, r.stderr)
            self.assertIn("-engine-mix", r.stderr)
        env = dict(os.environ, ENGINE_MIX="native:90")
        r = subprocess.run([BIN, "-tui=false", url], capture_output=True, text=True, timeout=20,
                           env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("ENGINE_MIX=native:90: the shares add up to 90%", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
