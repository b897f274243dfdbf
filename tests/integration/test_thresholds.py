# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 15, thresholds: pass/fail gates over the report's figures, for CI.

Native viewers against the bundled origin on loopback (one origin for every case):
- thresholds that hold → exit 0, the report lists them as ok, the JUnit file (read back by
  junitparser, a real consumer) has every case passed;
- one breached → exit 3, the breached figure is named in the last log lines, the JSON report has
  its value and verdict, the JUnit file one failure;
- `:abort` → the run ends long before its -duration, exit 3;
- a bad expression → usage error, exit 2, naming the expression and listing the known figures.
"""
import json
import os
import sys
import time
import unittest

from harness import BIN, Proc, Workdir, free_port, start_origin

try:
    import junitparser
except ImportError:  # python3-junitparser (make setup) lives in Debian's dist-packages
    sys.path.append("/usr/lib/python3/dist-packages")
    import junitparser

VIEWERS = 5


class ThresholdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.wd_ctx = Workdir()
        cls.wd = cls.wd_ctx.__enter__()
        port = free_port()
        cls.origin, cls.odir = start_origin(cls.wd, "tiny", port=port)
        cls.url = f"http://127.0.0.1:{port}/stream.m3u8"

    @classmethod
    def tearDownClass(cls):
        cls.origin.stop()
        cls.wd_ctx.__exit__(None, None, None)

    def run_swarm(self, name, thresholds, duration="8s", extra=()):
        summary = os.path.join(self.wd, name + ".json")
        junit = os.path.join(self.wd, name + ".xml")
        argv = [BIN, "-engine", "native", "-clients", str(VIEWERS), "-ramp-rate", "10",
                "-duration", duration, "-tui=false", "-metrics-port", "0",
                "-summary-json", summary, "-junit", junit, *extra]
        for t in thresholds:
            argv += ["-threshold", t]
        started = time.monotonic()
        p = Proc(argv + [self.url], self.wd, name)
        try:
            code = p.wait(90)
        finally:
            p.stop()
        took = time.monotonic() - started
        with open(summary) as f:
            report = json.load(f)
        return code, p, report, junitparser.JUnitXml.fromfile(junit), took

    @staticmethod
    def cases(xml):
        return [c for suite in xml for c in suite]

    def test_thresholds_that_hold_exit_0(self):
        code, p, report, xml, _ = self.run_swarm(
            "hold", ["segment_ttfb_p99<5s", "errors_rate<1%", "active_ratio>=80%", "restarts<=0"])
        self.assertEqual(code, 0, p.stderr()[-2000:])
        self.assertIn("Thresholds: 4 of 4 passed", p.stdout())
        self.assertEqual([t["verdict"] for t in report["thresholds"]], ["pass"] * 4)
        seg = report["thresholds"][0]
        self.assertEqual(seg["figure"], "segment_ttfb_p99")
        self.assertGreater(seg["value"], 0)
        self.assertLess(seg["value"], 5)
        cases = self.cases(xml)
        self.assertEqual(len(cases), 4)
        self.assertTrue(all(c.is_passed for c in cases), [c.result for c in cases])
        self.assertEqual(cases[0].name, "segment_ttfb_p99<5s")

    def test_breached_threshold_exits_3_and_names_the_figure(self):
        code, p, report, xml, _ = self.run_swarm(
            "breach", ["segment_ttfb_p99<1us", "errors_rate<1%"])
        self.assertEqual(code, 3, p.stderr()[-2000:])
        # The log (stderr) ends with the breach, then "shutdown complete".
        last = "\n".join(p.stderr().strip().splitlines()[-3:])
        self.assertIn("threshold breached: segment_ttfb_p99<1us = ", last)
        verdicts = {t["expr"]: t["verdict"] for t in report["thresholds"]}
        self.assertEqual(verdicts, {"segment_ttfb_p99<1us": "fail", "errors_rate<1%": "pass"})
        cases = self.cases(xml)
        failed = [c.name for c in cases if not c.is_passed]
        self.assertEqual(failed, ["segment_ttfb_p99<1us"])

    def test_abort_ends_the_run_early(self):
        code, p, report, xml, took = self.run_swarm(
            "abort", ["requests<10:abort"], duration="60s", extra=("-threshold-grace", "1s"))
        self.assertEqual(code, 3, p.stderr()[-2000:])
        self.assertIn("stopping the run (:abort)", p.stderr() + p.stdout())
        self.assertLess(took, 30, "the :abort threshold did not stop the 60 s run")
        self.assertLess(report["duration_seconds"], 30)
        self.assertEqual(report["thresholds"][0]["verdict"], "fail")

    def test_bad_expression_is_a_usage_error(self):
        p = Proc([BIN, "-engine", "native", "-threshold", "segment_ttfb<1s", self.url], self.wd, "bad")
        try:
            self.assertEqual(p.wait(20), 2)
        finally:
            p.stop()
        err = p.stderr()
        self.assertIn("-threshold", err)
        self.assertIn("segment_ttfb<1s", err)
        self.assertIn("unknown figure 'segment_ttfb'", err)
        for known in ("errors_rate", "rebuffer_ratio", "KIND_ttfb_STAT", "active_ratio"):
            self.assertIn(known, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
