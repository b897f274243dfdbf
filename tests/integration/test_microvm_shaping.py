# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""The design document's traffic shaping test in the MicroVM (issue 11): the client disk booted
under QEMU TCG against a test origin on the host with `run-microvm.sh --netem 'delay 50ms 10ms'`
(the kernel command line's hlsswarm.netem=, which network-impairment.service turns into
`tc qdisc replace dev eth0 root netem delay 50ms 10ms` before hls-swarm.service starts). The same
VM runs hls-swarm twice, with the unit and after `systemctl stop network-impairment` (one boot:
both runs see the same host load). Each run: 2 native-engine viewers for RUN_S seconds, then
`systemctl stop hls-swarm` in the guest (its root shell on the virtio console), "shutdown
complete" in the journal, the summary JSON and the service's log in the virtio-9p log share;
then a clean poweroff. The median segment TTFB the summary reports is at least 45 ms higher with
netem, and no viewer is lost in either run.
"""
import json
import os
import time
import unittest

from harness import Workdir, free_port, metric, scrape, start_origin, wait_for
from microvm_guest import VM_TIMEOUT_S, VM
from test_microvm import CLIENTS, build_microvm, prerequisites, read_text

NETEM = "delay 50ms 10ms"
RUN_S = 30  # after all viewers are active: about 15 segments per viewer (2 s segments)
MIN_SHIFT_MS = 45
# The native engine: FFmpeg's start (its -version probe loads ~150 libraries) takes more than
# hls-swarm's 10 s limit under TCG on a busy host; the image's default engine stays FFmpeg.
ENGINE = "-engine native"


class MicroVMShaping(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prerequisites()
        cls.build_s = build_microvm()

    def phase(self, vm, shell, url, logs, name):
        """RUN_S seconds of CLIENTS viewers, then `systemctl stop hls-swarm`; returns the summary."""
        wait_for(lambda: not vm.alive() or metric(scrape(url), "hlsswarm_clients_active") == CLIENTS,
                 VM_TIMEOUT_S, 1.0)
        self.assertEqual(metric(scrape(url), "hlsswarm_clients_active"), CLIENTS, vm.log()[-4000:])
        time.sleep(RUN_S)
        self.assertEqual(metric(scrape(url), "hlsswarm_clients_active"), CLIENTS, vm.log()[-4000:])
        shell.check(self, "systemctl stop hls-swarm.service", 60)
        self.assertIn("shutdown complete", shell.check(self, "journalctl -b -u hls-swarm.service"))
        self.assertIn("shutdown complete", read_text(os.path.join(logs, "hls-swarm.log")))
        path = os.path.join(logs, "summary.json")
        with open(path) as f:
            summary = json.load(f)
        os.rename(path, os.path.join(logs, f"summary-{name}.json"))
        return summary

    def test_netem_delay_raises_segment_ttfb(self):
        started = time.monotonic()
        workdir = self.enterContext(Workdir())
        origin_port = free_port()
        origin, _ = start_origin(workdir, profile="tiny", port=origin_port)
        self.addCleanup(origin.stop)
        logs = os.path.join(workdir, "logs")
        os.makedirs(logs)
        metrics_port = free_port()
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        vm = VM(workdir, "client", "--origin", f"127.0.0.1:{origin_port}", "--metrics-port", str(metrics_port),
                "--logs", logs, "--args", ENGINE, "--netem", NETEM, origin_port=origin_port)
        self.addCleanup(vm.stop)
        shell = vm.connect_shell(self, VM_TIMEOUT_S)
        self.assertEqual(shell.run("mountpoint -q /var/log/swarm")[0], 0, "the log share is not mounted")

        # With the unit: it ran before hls-swarm.service, netem sits on eth0 (toward `origin`).
        wait_for(lambda: not vm.alive() or metric(scrape(url), "hlsswarm_clients_active") == CLIENTS,
                 VM_TIMEOUT_S, 1.0)
        self.assertIn("ActiveState=active",
                      shell.check(self, "systemctl show -p ActiveState network-impairment.service"))
        self.assertIn("sch_netem", shell.check(self, "cat /proc/modules"))
        qdisc = shell.check(self, "tc qdisc show dev eth0 root")
        self.assertRegex(qdisc, r"qdisc netem \S+: root .*delay 50ms\s+10ms", qdisc)
        units = shell.check(self, "systemctl list-units --no-legend --plain --state=active "
                                  "network-impairment.service hls-swarm.service")
        self.assertIn("network-impairment.service", units)
        order = shell.check(self, "systemctl show -p Before --value network-impairment.service")
        self.assertIn("hls-swarm.service", order.split())
        shaped = self.phase(vm, shell, url, logs, "netem")
        active_at = time.monotonic() - vm.started - RUN_S

        # Without it: the unit stopped (its ExecStop removes the qdisc), the same VM again.
        shell.check(self, "systemctl stop network-impairment.service")
        self.assertNotIn("netem", shell.check(self, "tc qdisc show dev eth0 root"))
        shell.check(self, "systemctl start hls-swarm.service")
        plain = self.phase(vm, shell, url, logs, "plain")
        off_s = vm.power_off(self)

        figures = {}
        for name, summary in (("plain", plain), ("netem", shaped)):
            self.assertEqual(summary["engine"], "native")
            seg = summary["tap"]["by_kind"]["segment"]
            self.assertEqual(summary["viewers"]["peak_active"], CLIENTS, summary["viewers"])
            self.assertEqual(summary["restarts"]["total"], 0, f"viewers lost ({name}): {summary['restarts']}")
            self.assertEqual(seg["errors"], 0, seg)
            self.assertGreaterEqual(seg["requests"], CLIENTS * RUN_S // 2 // 2, seg)
            figures[name] = seg["ttfb_seconds"]["p50"] * 1000
        shift = figures["netem"] - figures["plain"]
        print(f"\nmicrovm shaping ({'built in %.0f s' % self.build_s if self.build_s else 'image reused'}): "
              f"segment TTFB p50 {figures['plain']:.1f} ms plain, {figures['netem']:.1f} ms with netem '{NETEM}' "
              f"(+{shift:.1f} ms); segments {plain['tap']['by_kind']['segment']['requests']} / "
              f"{shaped['tap']['by_kind']['segment']['requests']}; viewers active {active_at:.0f} s after QEMU "
              f"start; poweroff {off_s:.1f} s; test {time.monotonic() - started:.0f} s", flush=True)
        self.assertGreaterEqual(shift, MIN_SHIFT_MS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
