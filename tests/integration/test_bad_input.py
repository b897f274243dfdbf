# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Acceptance c: bad input gives one clear line and the right exit code."""
import http.server
import os
import socketserver
import subprocess
import threading
import unittest

from harness import BIN, Workdir


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.wd_ctx = Workdir()
        cls.wd = cls.wd_ctx.__enter__()
        with open(os.path.join(cls.wd, "page.m3u8"), "w") as f:
            f.write("<!DOCTYPE html><html><body>Not a playlist</body></html>\n")
        handler = lambda *a, **k: _Quiet(*a, directory=cls.wd, **k)
        cls.server = socketserver.TCPServer(("127.0.0.1", 0), handler)
        cls.port = cls.server.server_address[1]
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.wd_ctx.__exit__(None, None, None)

    def run_swarm(self, *args):
        r = subprocess.run([BIN, "-tui=false", "-metrics-port", "0", "-duration", "5s", *args],
                           capture_output=True, text=True, timeout=60)
        return r.returncode, r.stderr.strip()

    def assert_error(self, args, code, *needles):
        rc, err = self.run_swarm(*args)
        self.assertEqual(rc, code, err)
        errors = [l for l in err.splitlines() if "error" in l.lower() or l.startswith("hls-swarm:")]
        self.assertTrue(errors, err)
        for n in needles:
            self.assertIn(n.lower(), err.lower())

    def test_malformed_url(self):
        self.assert_error(["htp:/nonsense"], 2, "url")

    def test_404_playlist(self):
        self.assert_error([f"http://127.0.0.1:{self.port}/missing.m3u8"], 1, "404")

    def test_html_instead_of_playlist(self):
        self.assert_error([f"http://127.0.0.1:{self.port}/page.m3u8"], 1, "not an hls playlist")

    def test_missing_ffmpeg(self):
        self.assert_error(["-ffmpeg", "/nonexistent/ffmpeg", f"http://127.0.0.1:{self.port}/x.m3u8"], 1, "ffmpeg")

    def test_resolve_without_dangerous(self):
        self.assert_error(["-resolve", "127.0.0.1", "http://example.invalid/s.m3u8"], 2, "-dangerous")

    def test_header_with_crlf(self):
        self.assert_error(["-header", "X-A: 1\r\nX-B: 2", "http://127.0.0.1/s.m3u8"], 2, "-header")

    def test_zero_clients(self):
        self.assert_error(["-clients", "0", "http://127.0.0.1/s.m3u8"], 2, "-clients")

    def test_connection_refused(self):
        self.assert_error(["http://127.0.0.1:1/s.m3u8"], 1, "refused")


if __name__ == "__main__":
    unittest.main(verbosity=2)
