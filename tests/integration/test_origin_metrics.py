# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 5 acceptance, origin correlation: hls-swarm scrapes a real node_exporter and a real
nginx-prometheus-exporter on loopback (-origin-metrics, twice) and exports hlsswarm_origin_*
gauges. The nginx request rate it shows, sampled over the steady part of a 5-viewer run, is
within 10 % of the rate computed from the origin's access log over the same window.

"The same window" is taken exactly: the exporter reads nginx's /nginx_status through a
pass-through in this test that notes the time of every read, so each value of the gauge is
matched with the two reads it was computed from, and the access log is counted between them.
(Viewers fetch in bursts at every segment boundary; a window guessed to within a second could
gain or lose a whole burst.) nginx's counter also counts those /nginx_status reads, which the
access log leaves out: one per window, added to the log's count.
"""
import http.server
import os
import shutil
import socket
import threading
import time
import unittest
import urllib.request

from harness import BIN, Proc, Workdir, parse_metrics, read_access_log, start_origin, wait_for

CLIENTS = 5
DURATION_S = 40
SCRAPE_INTERVAL_S = 2.0  # hls-swarm's default origin scrape interval
ORIGIN_GAUGES = (
    "hlsswarm_origin_cpu_utilisation_percent",
    "hlsswarm_origin_memory_used_bytes",
    "hlsswarm_origin_memory_used_percent",
    "hlsswarm_origin_network_receive_bytes_per_second",
    "hlsswarm_origin_network_transmit_bytes_per_second",
    "hlsswarm_origin_nginx_connections_active",
    "hlsswarm_origin_nginx_requests_per_second",
    "hlsswarm_origin_scrape_errors_total",
)


def find_tool(name):
    for path in (shutil.which(name), f"/usr/bin/{name}", f"/usr/sbin/{name}"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode(errors="replace")
    except OSError:
        return None


def series(metrics, name):
    """The value of an unlabelled series, or the sum of a labelled one; None if absent."""
    values = [v for k, v in metrics.items() if k == name or k.startswith(name + "{")]
    return sum(values) if values else None


class StatusRecorder:
    """Pass-through in front of nginx's /nginx_status (a thread of this test, not a process)
    that notes when the exporter read nginx's counters."""

    def __init__(self, upstream):
        self.times = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.times.append(time.time())
                body = (http_get(upstream) or "").encode()
                self.send_response(200 if body else 502)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/nginx_status"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def gauge_windows(samples, read_times):
    """[(start, end, value)]: each value the gauge took, with the two /nginx_status reads it was
    computed from. A new value shows after the read that ends its window, so the latest read
    before the first sample showing it is that end. The first value is left out: it may have
    been sampled in the moment between a read and hls-swarm taking in its result."""
    windows, previous = [], None
    for t, value in samples:
        if value == previous:
            continue
        previous = value
        before = [r for r in read_times if r < t]
        if len(before) >= 2:
            windows.append((before[-2], before[-1], value))
    return windows[1:]


class OriginMetricsTest(unittest.TestCase):
    def setUp(self):
        self.node_exporter = find_tool("prometheus-node-exporter")
        self.nginx_exporter = find_tool("prometheus-nginx-exporter")
        if not self.node_exporter:
            self.skipTest("needs prometheus-node-exporter (Debian package prometheus-node-exporter)")
        if not self.nginx_exporter:
            self.skipTest("needs prometheus-nginx-exporter (Debian package prometheus-nginx-exporter)")
        for tool in ("ffmpeg", "nginx"):
            if not find_tool(tool):
                self.skipTest(f"needs {tool}")
        if not os.access(BIN, os.X_OK):
            self.skipTest(f"hls-swarm binary not found at {BIN} (set HLS_SWARM_BIN)")

    def start_exporters(self, wd, status_url):
        node_port, nginx_port = free_port(), free_port()
        # Only the collectors the correlation reads: cheaper on a 2-core test machine.
        node = Proc([self.node_exporter, f"--web.listen-address=127.0.0.1:{node_port}",
                     "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
                     "--collector.netdev"], wd, "node_exporter")
        # Two dashes work with both the Go flag package (0.x) and kingpin (1.x).
        nginx = Proc([self.nginx_exporter, f"--nginx.scrape-uri={status_url}",
                      f"--web.listen-address=127.0.0.1:{nginx_port}"], wd, "nginx_exporter")
        node_url = f"http://127.0.0.1:{node_port}/metrics"
        nginx_url = f"http://127.0.0.1:{nginx_port}/metrics"
        self.assertTrue(wait_for(lambda: "node_cpu_seconds_total" in (http_get(node_url) or ""), 20),
                        node.stderr()[-2000:])
        self.assertTrue(wait_for(lambda: "nginx_http_requests_total" in (http_get(nginx_url) or ""), 20),
                        nginx.stderr()[-2000:])
        return node, nginx, node_url, nginx_url

    def sample_steady_part(self, swarm, metrics_url, t_start):
        """(wall time, requests/s gauge) four times a second over the steady part of the run,
        and the last full scrape of hls-swarm's /metrics."""
        scrape = lambda: parse_metrics(http_get(metrics_url))
        active = wait_for(lambda: (series(scrape(), "hlsswarm_clients_active") or 0) >= CLIENTS, 30)
        self.assertTrue(active, swarm.stderr()[-3000:])
        # Let two origin scrapes pass at full load, so no window mixes in the ramp.
        time.sleep(2 * SCRAPE_INTERVAL_S + 1)
        samples, last = [], {}
        while time.time() < t_start + DURATION_S - 4 and swarm.p.poll() is None:
            m = scrape()
            value = series(m, "hlsswarm_origin_nginx_requests_per_second")
            if value is not None and value == value:  # absent or NaN until two scrapes
                samples.append((time.time(), value))
                last = m
            time.sleep(0.25)
        return samples, last

    def test_nginx_request_rate_matches_access_log(self):
        with Workdir() as wd:
            origin_port = free_port()
            origin, odir = start_origin(wd, "tiny", "127.0.0.1", origin_port)
            procs = [origin]
            try:
                with StatusRecorder(f"http://127.0.0.1:{origin_port}/nginx_status") as status:
                    node, nginx, node_url, nginx_url = self.start_exporters(wd, status.url)
                    procs += [node, nginx]
                    metrics_port = free_port()
                    t_start = time.time()
                    swarm = Proc([BIN, "-origin-metrics", node_url, "-origin-metrics", nginx_url,
                                  "-clients", str(CLIENTS), "-ramp-rate", "10", "-duration", f"{DURATION_S}s",
                                  "-tui=false", "-metrics", f"127.0.0.1:{metrics_port}",
                                  f"http://127.0.0.1:{origin_port}/stream.m3u8"], wd, "swarm")
                    procs.append(swarm)
                    samples, last = self.sample_steady_part(
                        swarm, f"http://127.0.0.1:{metrics_port}/metrics", t_start)
                    self.assertEqual(swarm.wait(DURATION_S + 30), 0, swarm.stderr()[-3000:])
                    read_times = list(status.times)
            finally:
                for p in reversed(procs):
                    p.stop()
            self.check_gauges(last)
            self.check_request_rate(gauge_windows(samples, read_times),
                                    read_access_log(os.path.join(odir, "access.log")))

    def check_gauges(self, m):
        missing = [g for g in ORIGIN_GAUGES if series(m, g) is None]
        self.assertEqual(missing, [], "origin gauges missing from /metrics")
        cpu = series(m, "hlsswarm_origin_cpu_utilisation_percent")
        mem = series(m, "hlsswarm_origin_memory_used_percent")
        print(f"\norigin: cpu {cpu:.1f} %, memory {mem:.1f} % "
              f"({series(m, 'hlsswarm_origin_memory_used_bytes') / 2**20:.0f} MiB), "
              f"rx {series(m, 'hlsswarm_origin_network_receive_bytes_per_second'):.0f} B/s, "
              f"tx {series(m, 'hlsswarm_origin_network_transmit_bytes_per_second'):.0f} B/s, "
              f"nginx active {series(m, 'hlsswarm_origin_nginx_connections_active'):.0f}, "
              f"scrape errors {series(m, 'hlsswarm_origin_scrape_errors_total'):.0f}")
        self.assertGreaterEqual(cpu, 0.0)
        self.assertLessEqual(cpu, 100.0)
        self.assertGreater(mem, 0.0)
        self.assertLessEqual(mem, 100.0)
        self.assertGreaterEqual(series(m, "hlsswarm_origin_nginx_connections_active"), 1)
        self.assertEqual(series(m, "hlsswarm_origin_scrape_errors_total"), 0)

    def check_request_rate(self, windows, log):
        self.assertGreaterEqual(len(windows), 8, f"too few values of the request rate: {windows}")
        span = sum(end - start for start, end, _ in windows)
        shown = sum(value * (end - start) for start, end, value in windows) / span
        logged = sum(1 for r in log if any(start < r["msec"] <= end for start, end, _ in windows))
        expected = (logged + len(windows)) / span  # + one /nginx_status read per window
        print(f"nginx requests/s over {len(windows)} windows ({span:.1f} s): hls-swarm {shown:.2f}, "
              f"access log {logged / span:.2f} + {len(windows) / span:.2f} status reads = {expected:.2f}")
        self.assertGreater(logged, 0)
        self.assertLessEqual(abs(shown - expected), 0.10 * expected)

if __name__ == "__main__":
    unittest.main(verbosity=2)
