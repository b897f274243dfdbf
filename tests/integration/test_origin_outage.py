# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Acceptance b: the origin's nginx is stopped for 10 s mid-run and started again."""
import signal
import time
import unittest

from harness import (BIN, NetnsPair, Proc, Workdir, metric, parse_metrics, restart_origin_nginx,
                     skip_unless_root_netns, start_origin, stop_origin_nginx, wait_for)


class OriginOutageTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def test_viewers_recover_after_nginx_restart(self):
        with Workdir() as wd, NetnsPair("b") as net:
            origin, odir = start_origin(wd, "tiny", net.origin_ip, 8080, net.in_origin)
            swarm = nginx2 = None
            try:
                url = f"http://{net.origin_ip}:8080/stream.m3u8"
                swarm = Proc(net.in_client([BIN, "-clients", "10", "-ramp-rate", "10", "-duration", "5m",
                                            "-tui=false", "-metrics", "127.0.0.1:9090", url]), wd, "swarm")
                scrape = lambda: parse_metrics(net.curl(net.client_ns, "http://127.0.0.1:9090/metrics"))
                self.assertTrue(wait_for(lambda: metric(scrape(), "hlsswarm_clients_active") >= 10, 30),
                                swarm.stderr()[-3000:])
                time.sleep(5)

                self.assertTrue(stop_origin_nginx(odir))
                time.sleep(10)
                self.assertIsNone(swarm.p.poll(), "hls-swarm exited during the outage")
                down = scrape()
                print("during outage: active", metric(down, "hlsswarm_clients_active"),
                      "restarts", metric(down, "hlsswarm_restarts_total"))

                nginx2 = restart_origin_nginx(wd, odir, net.in_origin)
                t_back = time.monotonic()
                ok = wait_for(lambda: metric(scrape(), "hlsswarm_clients_active") >= 10, 15, 0.2)
                print(f"all active again after {time.monotonic() - t_back:.1f}s")
                self.assertTrue(ok, swarm.stderr()[-3000:])
                after = scrape()
                restarts = {k: v for k, v in after.items() if k.startswith("hlsswarm_restarts_total{")}
                print("restarts by cause:", restarts)
                self.assertGreater(sum(restarts.values()), 0)
                self.assertIsNone(swarm.p.poll())
                swarm.signal(signal.SIGTERM)
                self.assertEqual(swarm.wait(10), 0)
            finally:
                if swarm:
                    swarm.stop()
                if nginx2:
                    nginx2.stop()
                origin.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
