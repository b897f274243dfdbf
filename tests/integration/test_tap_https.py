# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 12 acceptance (https measured exactly): the tap intercepts TLS.

nginx serves the bundled origin over https (a certificate made by the openssl CLI for the
origin's address; the test's CA given to hls-swarm with SSL_CERT_FILE, so the tap verifies the
origin); origin and hls-swarm run in separate network namespaces. Once the live playlist lists
at least MIN_SEGMENTS segments, four runs start at the same time, told apart in nginx's access
log by their user agents:

- 20 FFmpeg viewers through the tap for 60 s. For each viewer (matched by user agent):
  requests per kind (playlist, segment) equal to nginx's access log, body bytes equal to the
  log's $body_bytes_sent sum.
- 20 FFmpeg viewers straight to the origin (-tap=false) for 60 s: the connections each viewer
  opens at the origin (nginx's $connection) are as many as through the tap, viewer by viewer
  (viewers that restarted in either run are left out; more than MAX_RESTARTED fails).
  FFmpeg 5.1 opens its second segment connection only once the playlist lists the next
  segment: both runs start against the same playlist, so they see the same one.
- A CA the origin's certificate is not signed by: hls-swarm stops with an error naming the
  certificate, and nothing reaches nginx.
- -dangerous and no CA at all: requests are still measured, as many as nginx logged.
"""
import json
import os
import statistics
import time
import unittest
from collections import Counter, defaultdict

from harness import (BIN, NetnsPair, Proc, Workdir, make_certificates, read_access_log,
                     skip_unless_root_netns, start_origin, start_tls_nginx, wait_for)

UA_TAP = "it-tls-tap"
UA_DIRECT = "it-tls-direct"
UA_BADCA = "it-tls-badca"
UA_DANGEROUS = "it-tls-dangerous"
VIEWERS = 20
RUN_S = 60
MIN_SEGMENTS = 3
MAX_RESTARTED = 3
# Connections are counted over each viewer's first CONN_WINDOW_S of requests: the two runs stop
# a few milliseconds apart, and a connection opened in the last instant is not a difference.
CONN_WINDOW_S = RUN_S - 5


def kind_of(uri):
    path = uri.split("?")[0]
    return "playlist" if path.endswith(".m3u8") else "segment"


def by_viewer(rows, key):
    out = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def log_by_viewer(log, ua):
    rows = [r for r in log if r["ua"].startswith(ua + "/client-")]
    return by_viewer(rows, lambda r: int(r["ua"].rsplit("-", 1)[1]))


def restarted(stderr):
    """{viewer: [causes]} of the restarts hls-swarm logged at -log-level debug
    ("viewer N: restart (cause) in D ms")."""
    out = defaultdict(list)
    for line in stderr.splitlines():
        _, sep, rest = line.partition(" viewer ")
        id_, sep2, tail = rest.partition(": restart (")
        if sep and sep2 and id_.isdigit():
            out[int(id_)].append(tail.partition(")")[0])
    return out


def playlist_segments(text):
    return sum(1 for line in (text or "").splitlines() if line and not line.startswith("#"))


class TapHttpsTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def start_swarm(self, net, wd, name, ua, url, clients, seconds, env, extra=()):
        summary = os.path.join(wd, f"{name}.json")
        tap_log = os.path.join(wd, f"{name}.jsonl")
        log_args = () if "-tap=false" in extra else ("-tap-log", tap_log)
        proc = Proc(net.in_client([BIN, "-clients", str(clients), "-ramp-rate", str(clients),
                                   "-duration", f"{seconds}s", "-tui=false", "-metrics-port", "0",
                                   "-user-agent", ua, "-summary-json", summary, "-log-level",
                                   "debug", *log_args, *extra, url]), wd, name, env=env)
        return proc, summary, tap_log

    def finish_swarm(self, started, seconds):
        """Waits for a run; returns (tap records, summary report, stderr)."""
        proc, summary, tap_log = started
        try:
            self.assertEqual(proc.wait(seconds + 60), 0, f"{proc.name}: {proc.stderr()[-3000:]}")
        finally:
            proc.stop()
        with open(summary) as f:
            report = json.load(f)
        records = []
        if os.path.exists(tap_log):
            with open(tap_log) as f:
                records = [json.loads(line) for line in f]
        return records, report, proc.stderr()

    def test_https_through_the_tap_equals_the_origin_log(self):
        with Workdir() as wd, NetnsPair("ths") as net:
            origin, odir = start_origin(wd, "default", net.origin_ip, 8080, net.in_origin)
            tls, runs = None, {}
            try:
                tls, tls_log, ca = start_tls_nginx(wd, odir, net.origin_ip, 8443, net.in_origin)
                playlist = f"http://{net.origin_ip}:8080/stream.m3u8"
                listed = wait_for(lambda: playlist_segments(
                    net.curl(net.client_ns, playlist)) >= MIN_SEGMENTS, 60, 0.5)
                self.assertTrue(listed, f"the origin's playlist lists < {MIN_SEGMENTS} segments")
                url = f"https://{net.origin_ip}:8443/stream.m3u8"
                verified = dict(os.environ, SSL_CERT_FILE=ca)
                os.makedirs(os.path.join(wd, "other"))
                other_ca, _, _ = make_certificates(os.path.join(wd, "other"), net.origin_ip)
                no_ca = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
                began = time.monotonic()
                runs.update({
                    "tap": self.start_swarm(net, wd, "tap", UA_TAP, url, VIEWERS, RUN_S, verified),
                    "direct": self.start_swarm(net, wd, "direct", UA_DIRECT, url, VIEWERS, RUN_S,
                                               verified, ("-tap=false",)),
                    # The origin's certificate is signed by a CA hls-swarm is not given: the run
                    # stops before any viewer starts, naming the certificate (the tap's own
                    # `tls` error records for this case are in src/tap/tls_intercept_test.cc).
                    "badca": self.start_swarm(net, wd, "badca", UA_BADCA, url, 2, 5,
                                              dict(os.environ, SSL_CERT_FILE=other_ca)),
                    # -dangerous: no CA at all, the tap does not verify the origin.
                    "dangerous": self.start_swarm(net, wd, "dangerous", UA_DANGEROUS, url, 4, 15,
                                                  no_ca, ("-dangerous",)),
                })
                bad = runs.pop("badca")[0]
                try:
                    bad_rc = bad.wait(60)
                finally:
                    bad.stop()
                bad_err = bad.stderr()
                risky, risky_report, _ = self.finish_swarm(runs.pop("dangerous"), 15)
                tap, report, err = self.finish_swarm(runs.pop("tap"), RUN_S)
                _, direct_report, direct_err = self.finish_swarm(runs.pop("direct"), RUN_S)
                print(f"\n[https] concurrent runs took {time.monotonic() - began:.1f} s")
            finally:
                for run in runs.values():
                    run[0].stop()
                if tls is not None:
                    tls.stop()
                origin.stop()
            log = read_access_log(tls_log)

            # 1. Through the tap: every request recorded, per viewer and kind, bytes exact.
            self.assertEqual(report["tap_mode"], "requests")
            self.assertEqual(report["tap"]["source"], "tap")
            self.assertIn("TLS intercepted", err)
            reqs = [r for r in tap if r.get("kind") != "tunnel"]
            self.assertFalse([r for r in tap if r.get("kind") == "tunnel"], "no tunnels left")
            self.assertTrue(all(r["url"].startswith("https://") for r in reqs))
            tap_by = by_viewer(reqs, lambda r: r["viewer"])
            log_by = log_by_viewer(log, UA_TAP)
            self.assertEqual(sorted(tap_by), list(range(VIEWERS)))
            self.assertEqual(sorted(log_by), list(range(VIEWERS)))
            for v in range(VIEWERS):
                t, l = tap_by[v], log_by[v]
                self.assertFalse([r for r in t if r["error"] not in ("none", "client_aborted")],
                                 f"viewer {v}")
                tk = Counter("playlist" if r["kind"] in ("master", "playlist") else r["kind"]
                             for r in t)
                lk = Counter(kind_of(r["uri"]) for r in l)
                self.assertEqual(tk, lk, f"viewer {v}: requests per kind, tap vs origin log")
                # Requests in flight when the run stopped: nginx logs what it wrote into the
                # socket, the tap what it passed on before FFmpeg went away (as for http).
                aborted = [r["url"].split("/", 3)[-1] for r in t if r["error"] == "client_aborted"]
                self.assertLessEqual(len(aborted), 2, f"viewer {v}: {aborted}")
                l_done = list(l)
                for uri in aborted:
                    match = [i for i, r in enumerate(l_done) if r["uri"].lstrip("/") == uri]
                    if match:
                        del l_done[match[-1]]
                tb = sum(r["body_bytes"] for r in t if r["error"] != "client_aborted")
                lb = sum(r["bytes"] for r in l_done)
                self.assertEqual(tb, lb, f"viewer {v}: tap {tb} body bytes, origin log {lb}")
            seg_tap = [r["total_ms"] for r in reqs if r["kind"] == "segment" and r["error"] == "none"]
            log_tap = sum(len(l) for l in log_by.values())
            print(f"[https tap] {len(reqs)} records = {log_tap} origin log lines; "
                  f"segment download p50 {statistics.median(seg_tap):.2f} ms")

            # 2. The origin sees the same connections per viewer with and without the tap.
            direct_by = log_by_viewer(log, UA_DIRECT)
            self.assertEqual(sorted(direct_by), list(range(VIEWERS)))
            tap_restarts, direct_restarts = restarted(err), restarted(direct_err)
            self.assertEqual(sum(len(c) for c in tap_restarts.values()),
                             report["restarts"]["total"], "restarts logged vs reported (tap)")
            self.assertEqual(sum(len(c) for c in direct_restarts.values()),
                             direct_report["restarts"]["total"], "restarts logged vs reported")
            gone = set(tap_restarts) | set(direct_restarts)
            print(f"[https] restarts: tap {dict(tap_restarts)}, direct {dict(direct_restarts)}")
            self.assertLessEqual(len(gone), MAX_RESTARTED, f"viewers restarted: {sorted(gone)}")

            def conns(per_viewer, v):
                first = min(r["msec"] - r["rtime"] for r in per_viewer[v])
                return len({r["conn"] for r in per_viewer[v]
                            if r["msec"] - r["rtime"] - first < CONN_WINDOW_S})
            kept = [v for v in range(VIEWERS) if v not in gone]
            with_tap = {v: conns(log_by, v) for v in kept}
            without = {v: conns(direct_by, v) for v in kept}
            print(f"[https] connections per viewer at the origin ({len(kept)} viewers, first "
                  f"{CONN_WINDOW_S} s): with the tap {dict(Counter(with_tap.values()))}, without "
                  f"{dict(Counter(without.values()))}; requests: tap {log_tap}, direct "
                  f"{sum(len(l) for l in direct_by.values())}")
            self.assertEqual(with_tap, without, "connections per viewer: with the tap, without")

            # 3. An origin certificate that does not verify: a clear error, no viewer traffic.
            self.assertNotEqual(bad_rc, 0, bad_err[-2000:])
            self.assertIn("certificate", bad_err.lower(), bad_err[-2000:])
            self.assertFalse([r for r in log if r["ua"].startswith(UA_BADCA + "/")])
            # 4. -dangerous without any CA: requests measured, as many as nginx logged.
            risky = [r for r in risky if r.get("kind") != "tunnel"]
            log_risky = [r for r in log if r["ua"].startswith(UA_DANGEROUS + "/client-")]
            self.assertEqual(risky_report["tap_mode"], "requests")
            self.assertTrue(risky)
            self.assertFalse([r for r in risky if r["error"] not in ("none", "client_aborted")])
            self.assertEqual(len(risky), len(log_risky))
            print(f"[https -dangerous] {len(risky)} records = {len(log_risky)} origin log lines")
            print("[https bad CA] " + [l for l in bad_err.splitlines()
                                       if "certificate" in l.lower()][0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
