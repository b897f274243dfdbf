# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 14 acceptance, LL-HLS native viewers (SPEC §13) against the bundled LL-HLS origin,
with FFmpeg viewers on the same origin at the same time:

- 20 native viewers for 60 s: live latency p50 < 3 x PART-TARGET + one part duration;
- every part in a viewer's run requested once, in order, with no hole (preload hints and
  listed parts together); no whole segment fetched (they start in the parts region);
- reloads block: after the first plain one, each asks `_HLS_msn`/`_HLS_part` for the part
  after the last one listed, with `_HLS_skip=YES`, and the origin held it (its request time);
  about one reload per part, not more (no polling);
- hls-swarm's request counts per kind equal the origin's access log exactly (held requests
  still open at the stop are logged 499 by the origin and counted client_aborted by us);
- 10 FFmpeg viewers on the same origin play its segments without an error.
"""
import json
import os
import re
import statistics
import time
import unittest
import urllib.request
from collections import Counter, defaultdict

from harness import BIN, Proc, Workdir, free_port, read_access_log, start_origin, wait_for

NATIVE = 20
FFMPEG = 10
DURATION = 60
UA_N = "ll-native"
UA_F = "ll-ffmpeg"
PART_RE = re.compile(r"/part_(\d+)_(\d+)\.m4s$")


def viewers(rows, ua):
    out = defaultdict(list)
    for r in rows:
        if r["ua"].startswith(ua + "/client-"):
            out[int(r["ua"].rsplit("-", 1)[1])].append(r)
    for v in out.values():
        v.sort(key=lambda r: r["msec"] - r["rtime"])
    return out


def kind_of(uri):
    path = uri.split("?")[0]
    if path.endswith(".m3u8"):
        return "playlist"
    if "/part_" in path:
        return "part"
    if path.endswith("init.mp4"):
        return "init"
    if "/seg_" in path:
        return "segment"
    return "other"


class LlhlsNativeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._wd = Workdir()
        cls.wd = cls._wd.__enter__()
        port = free_port()
        cls.origin, cls.odir = start_origin(cls.wd, "ll-hls", port=port)
        cls.url = f"http://127.0.0.1:{port}/stream.m3u8"
        try:
            cls.run_both()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.origin.stop()
        cls._wd.__exit__(None, None, None)

    @classmethod
    def run_both(cls):
        # FFmpeg 5.1 opens a second segment connection only if the next segment is listed:
        # wait for a few complete segments, as a viewer joining a running event would.
        def segments_listed():
            try:
                body = urllib.request.urlopen(cls.url, timeout=2).read().decode()
            except OSError:
                return False
            return body.count("#EXTINF") >= 3

        if not wait_for(segments_listed, 60):
            raise AssertionError("the LL-HLS origin lists no 3 segments after 60 s")
        common = ["-duration", f"{DURATION}s", "-tui=false", "-metrics-port", "0"]
        cls.native_json = os.path.join(cls.wd, "native.json")
        cls.ffmpeg_json = os.path.join(cls.wd, "ffmpeg.json")
        native = Proc([BIN, "-engine", "native", "-clients", str(NATIVE), "-ramp-rate", "10",
                       "-user-agent", UA_N, "-summary-json", cls.native_json, *common, cls.url],
                      cls.wd, "native")
        ffmpeg = Proc([BIN, "-engine", "ffmpeg", "-clients", str(FFMPEG), "-ramp-rate", "5",
                       "-user-agent", UA_F, "-summary-json", cls.ffmpeg_json, *common, cls.url],
                      cls.wd, "ffmpeg")
        try:
            cls.native_rc = native.wait(DURATION + 60)
            cls.ffmpeg_rc = ffmpeg.wait(DURATION + 60)
        finally:
            native.stop()
            ffmpeg.stop()
        cls.native_err = native.stderr()
        cls.ffmpeg_err = ffmpeg.stderr()
        time.sleep(0.5)  # the origin logs the requests the viewers' exit cut off
        rows = read_access_log(os.path.join(cls.odir, "access.log"))
        cls.native_log = viewers(rows, UA_N)
        cls.ffmpeg_log = viewers(rows, UA_F)

    def report(self, path, rc, err):
        self.assertEqual(rc, 0, err[-3000:])
        with open(path) as f:
            return json.load(f)

    def test_latency_and_no_errors(self):
        r = self.report(self.native_json, self.native_rc, self.native_err)
        self.assertEqual(r["engine"], "native")
        lat = r["qoe"]["live_latency_seconds"]
        # PART-TARGET 0.334 s, parts of 1/3 s: 3 x 0.334 + 0.333 = 1.335 s.
        print(f"native live latency: {lat}")
        self.assertLess(lat["p50"], 3 * 0.334 + 0.3334, lat)
        # Requests cut off by the stop are the only errors.
        errors = {k: n for k, n in r["errors"]["by_type"].items() if k != "client_aborted"}
        self.assertEqual(errors, {})
        self.assertEqual(r["http_errors_by_code"], {})
        self.assertEqual(r["restarts"]["total"], 0)
        self.assertEqual(r["segments"], {"failed": 0, "skipped": 0, "expired": 0})
        self.assertEqual(r["playlist_reload_failures"], 0)
        self.assertEqual(r["rebuffer_events"], 0)
        self.assertEqual(sorted(self.native_log), list(range(NATIVE)))

    def test_every_part_once_in_order_and_no_segment(self):
        holes = set()
        for v, rows in self.native_log.items():
            parts = [(int(m[1]), int(m[2])) for r in rows if (m := PART_RE.search(r["uri"].split("?")[0]))]
            self.assertGreater(len(parts), 150, f"viewer {v}: {len(parts)} parts in {DURATION} s")
            counts = Counter(parts)
            twice = [p for p, n in counts.items() if n > 1]
            self.assertEqual(twice, [], f"viewer {v}: parts requested more than once")
            # No hole: from the first part it played to the last, every one (the next part of
            # the segment, or part 0 of the next segment; 6 parts a segment).
            ordered = sorted(counts)
            for a, b in zip(ordered, ordered[1:]):
                if not (b == (a[0], a[1] + 1) or (b == (a[0] + 1, 0) and a[1] == 5)):
                    holes.add((v, a, b))
            segs = [r["uri"] for r in rows if kind_of(r["uri"]) == "segment"]
            self.assertEqual(segs, [], f"viewer {v} fetched whole segments")
        self.assertEqual(holes, set(), "holes in the parts viewers played")

    def test_reloads_block_one_per_part(self):
        held = []
        for v, rows in self.native_log.items():
            pls = [r for r in rows if kind_of(r["uri"]) == "playlist"]
            parts = [r for r in rows if kind_of(r["uri"]) == "part"]
            # The first one (on the viewer's first connection) is the only plain one.
            plain = [r for r in pls if "_HLS_msn" not in r["uri"]]
            self.assertEqual(len(plain), 1, f"viewer {v}: plain playlist requests {plain}")
            self.assertEqual(plain[0]["conn"], min(r["conn"] for r in rows))
            for r in pls:
                if r is plain[0]:
                    continue
                self.assertRegex(r["uri"], r"\?_HLS_msn=\d+&_HLS_part=\d+&_HLS_skip=YES$")
                if r["status"] == 200:
                    held.append(r["rtime"])
            # One reload per new part (give or take the start and the stop), not polling.
            self.assertLess(abs(len(pls) - len(parts)), 8, f"viewer {v}: {len(pls)} playlists, "
                                                           f"{len(parts)} parts")
        # Held by the origin until the part appeared: about a part duration (1/3 s) less the
        # time the client took to ask again.
        med = statistics.median(held)
        print(f"blocking reloads: {len(held)}, median held {med:.3f} s")
        self.assertGreater(med, 0.1)
        self.assertLess(med, 0.5)

    def test_counts_equal_origin_log(self):
        r = self.report(self.native_json, self.native_rc, self.native_err)
        ours = r["requests"]["by_kind"]
        theirs = Counter(kind_of(row["uri"]) for rows in self.native_log.values() for row in rows)
        print(f"native requests: ours {ours}, origin {dict(theirs)}")
        self.assertEqual({k: v for k, v in ours.items() if v}, dict(theirs))

    def test_ffmpeg_viewers_play_without_errors(self):
        r = self.report(self.ffmpeg_json, self.ffmpeg_rc, self.ffmpeg_err)
        self.assertEqual(sorted(self.ffmpeg_log), list(range(FFMPEG)))
        for v, rows in self.ffmpeg_log.items():
            bad = [(row["status"], row["uri"]) for row in rows if row["status"] >= 400 and row["status"] != 499]
            self.assertEqual(bad, [], f"ffmpeg viewer {v}")
            segs = [row for row in rows if kind_of(row["uri"]) == "segment"]
            self.assertGreater(len(segs), 15, f"ffmpeg viewer {v}: {len(segs)} segments")
            self.assertFalse([row for row in rows if kind_of(row["uri"]) == "part"])
        self.assertEqual(r["restarts"]["total"], 0)
        self.assertEqual(r["http_errors_by_code"], {})


if __name__ == "__main__":
    unittest.main()
