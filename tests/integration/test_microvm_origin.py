# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""The design document's "Origin + Client MicroVMs" test (issue 11): one disk, two VMs under
QEMU TCG, both -snapshot. The origin VM (`run-microvm.sh --role origin`: hls-swarm-origin.service,
the bundled test origin, FFmpeg + nginx on :8080) and the client VM (hls-swarm.service with
STREAM_URL=http://origin:8080/stream.m3u8, 2 native-engine viewers) share only a private QEMU socket network (UDP on
host loopback; 10.10.0.1 and 10.10.0.2); their user networks have restrict=on, with the client's
metrics port as the only forward. Checked, as the document's test script does, in the guests'
root shells (virtio console): the stream served on the origin, the client's viewers active and
their connections in the origin's nginx_status, `systemctl stop` on the client leaving
"shutdown complete" in its journal and the summary JSON in its log share (virtio-9p); then both
VMs power off cleanly and the report's bytes equal the origin access log's within 0.5 %.
"""
import json
import os
import re
import time
import unittest

from harness import Workdir, free_port, metric, read_access_log, scrape, wait_for
from microvm_guest import VM_TIMEOUT_S, VM, free_udp_port
from test_microvm import CLIENTS, build_microvm, prerequisites, read_text

RUN_S = 30  # after all viewers are active
# The native engine: FFmpeg's start (its -version probe loads ~150 libraries) takes more than
# hls-swarm's 10 s limit under TCG on a busy host; the image's default engine stays FFmpeg.
ENGINE = "-engine native"


class MicroVMOriginClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prerequisites()
        cls.build_s = build_microvm()

    def test_origin_and_client_vms(self):
        started = time.monotonic()
        workdir = self.enterContext(Workdir())
        origin_logs, client_logs = os.path.join(workdir, "origin-logs"), os.path.join(workdir, "client-logs")
        os.makedirs(origin_logs)
        os.makedirs(client_logs)
        port_o, port_c = free_udp_port(), free_udp_port()
        metrics_port = free_port()

        origin = VM(workdir, "origin", "--role", "origin", "--socket-net", f"{port_o}:{port_c}",
                    "--metrics-port", str(free_port()), "--logs", origin_logs)
        self.addCleanup(origin.stop)
        oshell = origin.connect_shell(self, VM_TIMEOUT_S)
        # As the document: the origin's service, then its stream, before the client starts.
        ok = wait_for(lambda: oshell.run("curl -sf http://localhost:8080/stream.m3u8")[0] == 0, VM_TIMEOUT_S, 2.0)
        self.assertTrue(ok, f"the origin VM serves no stream:\n{oshell.run('systemctl status hls-swarm-origin')[1]}"
                            f"\n{origin.log()[-4000:]}")
        origin_ready = time.monotonic() - started
        print(f"\norigin VM serves the stream at {origin_ready:.0f} s", flush=True)
        self.assertIn("ActiveState=inactive", oshell.check(self, "systemctl show -p ActiveState hls-swarm.service"))
        self.assertEqual(oshell.check(self, "hostname").strip(), "origin")
        self.assertEqual(oshell.run("mountpoint -q /var/log/swarm")[0], 0, "the origin's log share is not mounted")

        client = VM(workdir, "client", "--role", "client", "--args", ENGINE, "--socket-net", f"{port_c}:{port_o}",
                    "--metrics-port", str(metrics_port), "--logs", client_logs)
        self.addCleanup(client.stop)
        cshell = client.connect_shell(self, VM_TIMEOUT_S)
        self.assertEqual(cshell.run("mountpoint -q /var/log/swarm")[0], 0, "the client's log share is not mounted")
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        wait_for(lambda: not client.alive() or metric(scrape(url), "hlsswarm_clients_active") == CLIENTS,
                 VM_TIMEOUT_S, 1.0)
        active_at = time.monotonic() - started
        print(f"client VM: {CLIENTS} viewers active at {active_at:.0f} s", flush=True)
        self.assertEqual(metric(scrape(url), "hlsswarm_clients_active"), CLIENTS, client.log()[-4000:])
        self.assertIn("STREAM_URL=http://origin:8080/stream.m3u8", cshell.check(self, "cat /etc/default/hls-swarm"))
        self.assertRegex(cshell.check(self, "getent hosts origin"), r"^10\.10\.0\.1\s+origin")
        # Only the socket network reaches the origin: the user network's guestfwd is not there.
        code, _ = cshell.run("curl -s -m 3 -o /dev/null http://10.0.2.100:8080/health")
        self.assertNotEqual(code, 0, "the client reached 10.0.2.100 (guestfwd) on the socket-net run")

        # The client's viewers on the origin: nginx_status counts their connections.
        status = oshell.check(self, "curl -sf http://localhost:8080/nginx_status")
        conns = int(re.search(r"Active connections:\s*(\d+)", status)[1])
        self.assertGreaterEqual(conns, CLIENTS + 1, status)  # + curl's own
        peers = oshell.check(self, "ss -Htn state established '( sport = :8080 )'")
        self.assertIn("10.10.0.2:", peers)

        time.sleep(RUN_S)
        self.assertEqual(metric(scrape(url), "hlsswarm_clients_active"), CLIENTS)
        cshell.check(self, "systemctl stop hls-swarm.service", 60)
        self.assertIn("shutdown complete", cshell.check(self, "journalctl -b -u hls-swarm.service"))
        self.assertTrue(os.path.exists(os.path.join(client_logs, "summary.json")), os.listdir(client_logs))
        self.assertIn("shutdown complete", read_text(os.path.join(client_logs, "hls-swarm.log")))
        client_off = client.power_off(self)
        origin_off = origin.power_off(self)  # stops hls-swarm-origin: its access log to the share

        with open(os.path.join(client_logs, "summary.json")) as f:
            summary = json.load(f)
        self.assertEqual(summary["stream_url"], "http://origin:8080/stream.m3u8")
        self.assertEqual(summary["engine"], "native")
        self.assertEqual(summary["restarts"]["total"], 0, summary["restarts"])
        rows = [r for r in read_access_log(os.path.join(origin_logs, "access.log")) if "/client-" in r["ua"]]
        viewers = {r["ua"].rsplit("-", 1)[1] for r in rows}
        self.assertEqual(len(viewers), CLIENTS, viewers)
        log_bytes = sum(r["bytes"] for r in rows)
        tap_bytes = sum(k["body_bytes"] for k in summary["tap"]["by_kind"].values())
        tap_requests = sum(k["requests"] for k in summary["tap"]["by_kind"].values())
        report_bytes = summary["bytes_received"]
        print(f"\nmicrovm origin + client ({'built in %.0f s' % self.build_s if self.build_s else 'image reused'}): "
              f"origin stream at {origin_ready:.0f} s, {CLIENTS} viewers active at {active_at:.0f} s, "
              f"nginx_status {conns} active connections; report {report_bytes} bytes (tap body {tap_bytes} in "
              f"{tap_requests} requests), origin log {log_bytes} in {len(rows)} requests "
              f"({(report_bytes - log_bytes) / max(log_bytes, 1) * 100:+.3f} %); poweroff client {client_off:.1f} s, "
              f"origin {origin_off:.1f} s; test {time.monotonic() - started:.0f} s", flush=True)
        self.assertGreater(log_bytes, 0)
        self.assertLessEqual(abs(report_bytes - log_bytes), 0.005 * log_bytes)
        self.assertLessEqual(abs(tap_bytes - log_bytes), 0.005 * log_bytes)


if __name__ == "__main__":
    unittest.main(verbosity=2)
