# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 5 acceptance: the control API raises 10 -> 20 viewers and lowers back to 5."""
import json
import os
import signal
import unittest
import urllib.error
import urllib.request

from harness import BIN, Proc, Workdir, free_port, have, metric, scrape, wait_for



class ControlApiTest(unittest.TestCase):
    def test_target_up_and_down(self):
        if not have("ffmpeg"):
            self.skipTest("needs ffmpeg")
        with Workdir() as wd:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            swarm = Proc([BIN, "-test-origin", "-test-origin-profile", "tiny", "-clients", "10", "-ramp-rate", "10",
                          "-tui=false", "-metrics", f"127.0.0.1:{port}"], wd, "swarm",
                         env=dict(os.environ, TMPDIR=wd))
            try:
                def active():
                    return metric(scrape(base + "/metrics"), "hlsswarm_clients_active")

                def post(target):
                    req = urllib.request.Request(f"{base}/api/clients?target={target}", method="POST", data=b"")
                    with urllib.request.urlopen(req, timeout=5) as r:
                        return r.status, json.loads(r.read())

                self.assertTrue(wait_for(lambda: active() == 10, 60), swarm.stderr()[-2000:])
                self.assertEqual(post(20), (202, {"previous": 10, "target": 20}))
                self.assertTrue(wait_for(lambda: active() == 20, 20), f"active={active()}")
                self.assertEqual(post(5), (202, {"previous": 20, "target": 5}))
                self.assertTrue(wait_for(lambda: active() == 5, 15), f"active={active()}")
                status = json.loads(urllib.request.urlopen(base + "/api/status", timeout=5).read())
                self.assertEqual(status["status"]["target"], 5)
                self.assertEqual(status["viewers"]["peak_active"], 20)
                with self.assertRaises(urllib.error.HTTPError) as bad:
                    post("lots")
                self.assertEqual(bad.exception.code, 400)
                with self.assertRaises(urllib.error.HTTPError) as wrong_method:
                    urllib.request.urlopen(f"{base}/api/clients?target=3", timeout=5)
                self.assertEqual(wrong_method.exception.code, 405)
                swarm.signal(signal.SIGTERM)
                self.assertEqual(swarm.wait(15), 0)
            finally:
                swarm.stop()

    def test_api_off(self):
        with Workdir() as wd:
            port = free_port()
            swarm = Proc([BIN, "-test-origin", "-test-origin-profile", "tiny", "-clients", "1", "-api=false",
                          "-tui=false", "-metrics", f"127.0.0.1:{port}"], wd, "swarm", env=dict(os.environ, TMPDIR=wd))
            try:
                ok = wait_for(lambda: "metrics on" in swarm.stderr(), 60)
                self.assertTrue(ok, swarm.stderr()[-2000:])
                with self.assertRaises(urllib.error.HTTPError) as e:
                    urllib.request.urlopen(urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/clients?target=3", method="POST", data=b""), timeout=5)
                self.assertEqual(e.exception.code, 404)
            finally:
                swarm.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
