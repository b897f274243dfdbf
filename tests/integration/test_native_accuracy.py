# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 10 acceptance: native viewers measure exactly what the origin's access log says, on
http and on https, and request what a player requests.

50 native viewers for 40 s on the `default` and `abr` origin profiles (http), and on `default`
over https (nginx with a certificate this test makes: once with -dangerous, once verifying
against the test's CA through SSL_CERT_FILE). Origin and hls-swarm run in two network
namespaces. Per viewer (matched by user agent): every request the viewer recorded is in
nginx's log and vice versa, but for at most two requests in flight when the run stopped
(cancelled by the stop, logged by nginx, not recorded); body bytes within 0.1 %. Player
behaviour from the origin's log: one master request per viewer (abr), every segment at most
once and in media-sequence order, the median reload spacing within 10 % of the target
duration, one rendition (plus its audio) per viewer.
"""
import json
import os
import re
import statistics
import unittest
from collections import Counter, defaultdict

from harness import (BIN, NetnsPair, Proc, Workdir, in_request_order, read_access_log,
                     skip_unless_root_netns, start_origin, start_tls_nginx)

UA = "it-native"
VIEWERS = 50
SEQ_RE = re.compile(r"(\d+)\.(?:ts|m4s|mp4|aac)$")


def load_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


class NativeAccuracyTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def run_swarm(self, net, wd, url, extra=(), env=None):
        records = os.path.join(wd, "records.jsonl")
        summary = os.path.join(wd, "summary.json")
        swarm = Proc(net.in_client([BIN, "-engine", "native", "-clients", str(VIEWERS),
                                    "-ramp-rate", "25", "-duration", "40s", "-tui=false",
                                    "-metrics-port", "0", "-user-agent", UA, "-tap-log", records,
                                    "-summary-json", summary, *extra, url]), wd, "swarm", env=env)
        try:
            self.assertEqual(swarm.wait(150), 0, swarm.stderr()[-3000:])
        finally:
            swarm.stop()
        self.assertIn("shutdown complete", swarm.stderr() + swarm.stdout())
        with open(summary) as f:
            report = json.load(f)
        return load_records(records), report

    def compare(self, label, recs, log_path, target_s):
        log = [r for r in read_access_log(log_path) if r["ua"].startswith(UA + "/client-")]
        rec_by, log_by = defaultdict(list), defaultdict(list)
        for r in recs:
            rec_by[r["viewer"]].append(r)
        for r in log:
            log_by[int(r["ua"].rsplit("-", 1)[1])].append(r)
        self.assertEqual(sorted(rec_by), list(range(VIEWERS)), label)
        self.assertEqual(sorted(log_by), list(range(VIEWERS)), label)
        worst, in_flight, reloads = 0.0, 0, []
        for v in range(VIEWERS):
            rv = [r for r in rec_by[v] if r["status"] > 0]
            lv = in_request_order(log_by[v])
            want = Counter(r["url"].split("/", 3)[-1] for r in rv)
            have = Counter(r["uri"].lstrip("/") for r in lv)
            missing = want - have
            extra = have - want
            self.assertFalse(missing, f"{label} viewer {v}: recorded but not in nginx's log: {missing}")
            self.assertLessEqual(sum(extra.values()), 2,
                                 f"{label} viewer {v}: in nginx's log but not recorded: {extra}")
            in_flight += sum(extra.values())
            extra_left = Counter(extra)
            lv_done = []
            for r in reversed(lv):  # the unrecorded ones are the last of their URI
                u = r["uri"].lstrip("/")
                if extra_left[u] > 0:
                    extra_left[u] -= 1
                else:
                    lv_done.append(r)
            rb = sum(r["body_bytes"] for r in rv)
            lb = sum(r["bytes"] for r in lv_done)
            rel = abs(rb - lb) / max(lb, 1)
            worst = max(worst, rel)
            self.assertLessEqual(rel, 0.001, f"{label} viewer {v}: recorded {rb} bytes, nginx {lb}")
            # Player behaviour: each segment once, in media-sequence order, per rendition.
            segs = [r["uri"] for r in lv if SEQ_RE.search(r["uri"])]
            self.assertEqual(len(segs), len(set(segs)), f"{label} viewer {v}: a segment twice")
            by_dir = defaultdict(list)
            for u in segs:
                by_dir[u.rsplit("/", 1)[0]].append(int(SEQ_RE.search(u)[1]))
            for d, seq in by_dir.items():
                self.assertEqual(seq, sorted(seq), f"{label} viewer {v}: {d} out of order")
            masters = [r for r in lv if r["uri"].endswith("master.m3u8")]
            self.assertLessEqual(len(masters), 1, f"{label} viewer {v}: {len(masters)} masters")
            media = [r for r in lv if r["uri"].endswith(".m3u8") and not r["uri"].endswith("master.m3u8")]
            by_pl = defaultdict(list)
            for r in media:
                by_pl[r["uri"]].append(r["msec"] - r["rtime"])
            # One video rendition (and at most one audio one) per viewer, not every rendition.
            self.assertLessEqual(len(by_pl), 2, f"{label} viewer {v}: playlists {sorted(by_pl)}")
            for times in by_pl.values():
                reloads += [b - a for a, b in zip(times, times[1:])]
        med = statistics.median(reloads)
        print(f"\n[{label}] {len(recs)} records, {len(log)} log lines, {in_flight} in flight at the "
              f"stop; worst per-viewer byte difference {worst * 100:.4f} %; reload spacing median "
              f"{med:.3f} s (target duration {target_s} s)")
        self.assertLessEqual(abs(med - target_s), 0.1 * target_s)

    def test_http_default_and_abr(self):
        for profile, path in (("default", "/stream.m3u8"), ("abr", "/master.m3u8")):
            with self.subTest(profile=profile), Workdir() as wd, NetnsPair("n" + profile[:2]) as net:
                origin, odir = start_origin(wd, profile, net.origin_ip, 8080, net.in_origin)
                try:
                    recs, report = self.run_swarm(net, wd, f"http://{net.origin_ip}:8080{path}")
                finally:
                    origin.stop()
                self.assertEqual(report["engine"], "native")
                self.assertEqual(report["tap"]["source"], "native")
                self.compare(f"http {profile}", recs, os.path.join(odir, "access.log"), 2)

    def test_https_dangerous_and_verified(self):
        with Workdir() as wd, NetnsPair("nhs") as net:
            origin, odir = start_origin(wd, "default", net.origin_ip, 8080, net.in_origin)
            tls, tls_log, ca = start_tls_nginx(wd, odir, net.origin_ip, 8443, net.in_origin)
            url = f"https://{net.origin_ip}:8443/stream.m3u8"
            try:
                for mode in ("dangerous", "verified"):
                    with self.subTest(mode=mode):
                        open(tls_log, "w").close()
                        extra = ("-dangerous",) if mode == "dangerous" else ()
                        env = dict(os.environ, SSL_CERT_FILE=ca) if mode == "verified" else None
                        recs, report = self.run_swarm(net, wd, url, extra, env)
                        kinds = report["tap"]["by_kind"]
                        for k in ("playlist", "segment"):
                            self.assertGreater(kinds[k]["ttfb_seconds"]["count"], 0, (mode, k))
                            self.assertGreater(kinds[k]["duration_seconds"]["count"], 0, (mode, k))
                        self.compare(f"https {mode}", recs, tls_log, 2)
            finally:
                tls.stop()
                origin.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
