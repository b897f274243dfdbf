# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Acceptance d: SIGKILL of hls-swarm leaves no FFmpeg (nor test origin) behind."""
import os
import signal
import time
import unittest

from harness import (BIN, Proc, Workdir, children_of, free_port, have, metric, pid_alive, proc_comm,
                     scrape, wait_for)


class SigkillTest(unittest.TestCase):
    def test_no_child_survives_sigkill(self):
        if not have("ffmpeg"):
            self.skipTest("needs ffmpeg")
        with Workdir() as wd:
            port = free_port()
            swarm = Proc([BIN, "-test-origin", "-test-origin-profile", "tiny", "-clients", "5", "-ramp-rate", "10",
                          "-tui=false", "-metrics", f"127.0.0.1:{port}"], wd, "swarm",
                         env=dict(os.environ, TMPDIR=wd))  # the origin's directory goes with wd
            try:
                def active():
                    return metric(scrape(f"http://127.0.0.1:{port}/metrics"), "hlsswarm_clients_active")
                self.assertTrue(wait_for(lambda: active() >= 5, 60), swarm.stderr()[-3000:])
                kids = children_of(swarm.pid)
                names = sorted({proc_comm(p) for p in kids})
                print("children:", len(kids), names)
                self.assertGreaterEqual(sum(1 for p in kids if proc_comm(p) == "ffmpeg"), 6)  # 5 viewers + generator
                swarm.signal(signal.SIGKILL)
                t0 = time.monotonic()
                gone = wait_for(lambda: not any(pid_alive(p) for p in kids), 2, 0.05)
                print(f"all children gone after {time.monotonic() - t0:.2f}s")
                self.assertTrue(gone, [(p, proc_comm(p)) for p in kids if pid_alive(p)])
            finally:
                swarm.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
