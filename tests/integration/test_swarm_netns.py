# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Acceptance a: 20 viewers against the bundled origin, each in its own network namespace."""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import (BIN, NetnsPair, Proc, Workdir, children_of, is_segment, metric, parse_metrics,
                     pid_alive, proc_comm, read_access_log, skip_unless_root_netns, start_origin,
                     wait_for)

UA = "it-swarm"


class SwarmInNetnsTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def test_twenty_viewers_match_origin_log_and_stop_cleanly(self):
        with Workdir() as wd, NetnsPair("a") as net:
            origin, odir = start_origin(wd, "tiny", net.origin_ip, 8080, net.in_origin)
            swarm = None
            try:
                url = f"http://{net.origin_ip}:8080/stream.m3u8"
                summary = os.path.join(wd, "summary.json")
                swarm = Proc(net.in_client([BIN, "-clients", "20", "-ramp-rate", "10", "-duration", "5m",
                                            "-tui=false", "-metrics", "127.0.0.1:9090", "-user-agent", UA,
                                            "-summary-json", summary, url]), wd, "swarm")
                scrape = lambda: parse_metrics(net.curl(net.client_ns, "http://127.0.0.1:9090/metrics"))

                ramp_done = wait_for(lambda: metric(scrape(), "hlsswarm_ramp_progress") >= 1.0, 30, 0.1)
                self.assertTrue(ramp_done, swarm.stderr()[-3000:])
                t_ramp_end = time.monotonic()
                reached = wait_for(lambda: metric(scrape(), "hlsswarm_clients_active") >= 20, 4, 0.1)
                took = time.monotonic() - t_ramp_end
                print(f"active reached 20 {took:.2f}s after the ramp ended")
                self.assertTrue(reached, f"active={metric(scrape(), 'hlsswarm_clients_active')}")

                # nginx sees at least one connection per viewer.
                status = net.curl(net.origin_ns, f"http://{net.origin_ip}:8080/nginx_status") or ""
                active_conns = int(status.split("Active connections:")[1].split()[0]) if status else 0
                print(f"nginx Active connections: {active_conns}")
                self.assertGreaterEqual(active_conns, 20, status)

                metrics_text = net.curl(net.client_ns, "http://127.0.0.1:9090/metrics")
                check = subprocess.run(["promtool", "check", "metrics"], input=metrics_text, text=True,
                                       capture_output=True)
                self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

                time.sleep(34)  # ~40 s of run in all
                ffmpeg_pids = [p for p in children_of(swarm.pid) if proc_comm(p) == "ffmpeg"]
                self.assertGreaterEqual(len(ffmpeg_pids), 20)
                t_stop = time.monotonic()
                swarm.signal(signal.SIGTERM)
                code = swarm.wait(10)
                stop_took = time.monotonic() - t_stop
                print(f"SIGTERM to exit: {stop_took:.2f}s")
                self.assertEqual(code, 0, swarm.stderr()[-3000:])
                last_line = swarm.stderr().strip().splitlines()[-1]
                self.assertIn("shutdown complete", last_line)
                self.assertFalse([p for p in ffmpeg_pids if pid_alive(p)], "FFmpeg survived")

                with open(summary) as f:
                    report = json.load(f)
                counted = report["requests"]["by_kind"].get("segment", 0)
                time.sleep(0.5)  # let nginx write the last lines
                rows = [r for r in read_access_log(os.path.join(odir, "access.log"))
                        if r["ua"].startswith(UA + "/client-") and is_segment(r["uri"])]
                print(f"segments: report {counted}, origin log {len(rows)}")
                self.assertGreater(counted, 100)
                self.assertLessEqual(abs(counted - len(rows)), 20)  # only requests in flight at the end
                uas = {r["ua"] for r in rows}
                self.assertEqual(uas, {f"{UA}/client-{i}" for i in range(20)})
            finally:
                if swarm:
                    swarm.stop()
                origin.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
