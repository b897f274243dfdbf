# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 4 (monitoring): the Prometheus config and alert rules pass promtool (including a unit
test of every alert), and the Grafana dashboard only queries metrics hls-swarm exports."""
import json
import os
import re
import shutil
import subprocess
import unittest

ROOT = os.path.join(os.path.dirname(__file__), "../..")
MON = os.path.join(ROOT, "deploy/monitoring")


def exported_names():
    """Every hlsswarm_* family the exporter builds, with the histogram series suffixes."""
    names = set()
    for f in ("src/metrics/exporter.cc",):
        with open(os.path.join(ROOT, f)) as fh:
            for n in re.findall(r'"(hlsswarm_[a-z_]+)"', fh.read()):
                names.update({n, n + "_bucket", n + "_sum", n + "_count"})
    return names


class MonitoringTest(unittest.TestCase):
    def setUp(self):
        if not shutil.which("promtool"):
            self.skipTest("needs promtool (Debian package prometheus)")

    def promtool(self, *args):
        r = subprocess.run(["promtool", *args], cwd=MON, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout + r.stderr

    def test_config_and_rules(self):
        self.promtool("check", "config", "prometheus.yml")
        out = self.promtool("check", "rules", "hls-swarm-alerts.yml")
        self.assertIn("6 rules found", out)

    def test_every_alert_has_a_passing_unit_test(self):
        self.promtool("test", "rules", "hls-swarm-alerts_test.yml")
        with open(os.path.join(MON, "hls-swarm-alerts.yml")) as f:
            alerts = set(re.findall(r"alert: (\w+)", f.read()))
        with open(os.path.join(MON, "hls-swarm-alerts_test.yml")) as f:
            tested = set(re.findall(r"alertname: (\w+)", f.read()))
        self.assertEqual(alerts, tested)

    def test_rules_and_dashboard_use_exported_metrics(self):
        names = exported_names()
        self.assertIn("hlsswarm_clients_active", names)
        with open(os.path.join(MON, "grafana-dashboard.json")) as f:
            dash = json.load(f)
        exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
        with open(os.path.join(MON, "hls-swarm-alerts.yml")) as f:
            exprs.append(f.read())
        used = set()
        for e in exprs:
            used.update(re.findall(r"hlsswarm_[a-z_]+", e))
        self.assertTrue(used)
        self.assertEqual(used - names, set())
        # Summed across instances: every dashboard query aggregates.
        for e in exprs[:-1]:
            self.assertRegex(e, r"^(sum|max|histogram_quantile)\b")


if __name__ == "__main__":
    unittest.main(verbosity=2)
