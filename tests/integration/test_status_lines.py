# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 5 acceptance: without a terminal, one status line every 5 s; with -log-format json
every log line is a JSON object."""
import json
import os
import unittest
from datetime import datetime

from harness import BIN, Proc, Workdir, have


class StatusLinesTest(unittest.TestCase):
    def test_json_status_every_five_seconds(self):
        if not have("ffmpeg"):
            self.skipTest("needs ffmpeg")
        with Workdir() as wd:
            # stdout and stderr are files, not a terminal: the dashboard must stay off by itself.
            swarm = Proc([BIN, "-test-origin", "-test-origin-profile", "tiny", "-clients", "2", "-duration", "17s",
                          "-metrics-port", "0", "-log-format", "json"], wd, "swarm", env=dict(os.environ, TMPDIR=wd))
            try:
                self.assertEqual(swarm.wait(90), 0, swarm.stderr()[-2000:])
            finally:
                swarm.stop()
            lines = [l for l in swarm.stderr().splitlines() if l.strip()]
            objects = [json.loads(l) for l in lines]  # raises if any line is not JSON
            for o in objects:
                self.assertIn("ts", o)
                self.assertIn("level", o)
            status = [o for o in objects if o.get("msg") == "status"]
            self.assertGreaterEqual(len(status), 3, lines)
            for o in status:
                for key in ("active", "target", "running", "requests", "errors", "restarts"):
                    self.assertIn(key, o)
            times = [datetime.strptime(o["ts"], "%Y-%m-%dT%H:%M:%S.%fZ") for o in status[:3]]
            gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
            print("gaps between status lines:", gaps)
            for g in gaps:
                self.assertAlmostEqual(g, 5.0, delta=0.5)
            self.assertEqual(objects[-1]["msg"], "shutdown complete")


if __name__ == "__main__":
    unittest.main(verbosity=2)
