# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 10 acceptance: native viewers ride out an origin outage like players, not like a
tight loop. nginx is stopped for 10 s mid-run and started again: while it is down no viewer
sends more than one request per second on average (hls.js backoff, then the pool's capped,
jittered restarts), and every viewer plays again within 15 s of the restart.
"""
import json
import os
import signal
import time
import unittest
from collections import Counter

from harness import (BIN, NetnsPair, Proc, Workdir, metric, parse_metrics, restart_origin_nginx,
                     skip_unless_root_netns, start_origin, stop_origin_nginx, wait_for)

VIEWERS = 10


class NativeOutageTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def test_viewers_back_off_while_down_and_recover(self):
        with Workdir() as wd, NetnsPair("no") as net:
            origin, odir = start_origin(wd, "tiny", net.origin_ip, 8080, net.in_origin)
            swarm = nginx2 = None
            records = os.path.join(wd, "records.jsonl")
            try:
                url = f"http://{net.origin_ip}:8080/stream.m3u8"
                swarm = Proc(net.in_client([BIN, "-engine", "native", "-clients", str(VIEWERS),
                                            "-ramp-rate", "10", "-duration", "5m", "-tui=false",
                                            "-tap-log", records, "-metrics", "127.0.0.1:9090", url]),
                             wd, "swarm")
                scrape = lambda: parse_metrics(net.curl(net.client_ns, "http://127.0.0.1:9090/metrics"))
                self.assertTrue(wait_for(lambda: metric(scrape(), "hlsswarm_clients_active") >= VIEWERS, 30),
                                swarm.stderr()[-3000:])
                time.sleep(4)
                self.assertTrue(stop_origin_nginx(odir))
                t_down = time.time()
                time.sleep(10)
                t_up = time.time()
                self.assertIsNone(swarm.p.poll(), "hls-swarm exited during the outage")
                nginx2 = restart_origin_nginx(wd, odir, net.in_origin)
                t_back = time.monotonic()
                ok = wait_for(lambda: metric(scrape(), "hlsswarm_clients_active") >= VIEWERS, 15, 0.2)
                back_after = time.monotonic() - t_back
                self.assertTrue(ok, swarm.stderr()[-3000:])
                after = scrape()
                swarm.signal(signal.SIGTERM)
                self.assertEqual(swarm.wait(15), 0)
            finally:
                if swarm:
                    swarm.stop()
                if nginx2:
                    nginx2.stop()
                origin.stop()
            with open(records) as f:
                recs = [json.loads(line) for line in f]
            down = [r for r in recs if t_down + 0.5 <= r["start"] < t_up]
            per_viewer = Counter(r["viewer"] for r in down)
            rates = {v: n / (t_up - t_down - 0.5) for v, n in per_viewer.items()}
            restarts = {k: v for k, v in after.items() if k.startswith("hlsswarm_restarts_total{")}
            print(f"\nwhile down: {len(down)} requests, per viewer {dict(sorted(per_viewer.items()))}, "
                  f"errors {Counter(r['error'] for r in down)}; all {VIEWERS} active again "
                  f"{back_after:.1f} s after nginx restarted; restarts {restarts}")
            for v, rate in rates.items():
                self.assertLessEqual(rate, 1.0, f"viewer {v}: {per_viewer[v]} requests in the outage")


if __name__ == "__main__":
    unittest.main(verbosity=2)
