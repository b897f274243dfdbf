# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 12 acceptance, parts 1 and 3: FFmpeg viewers watch a VOD like viewers, and the
probe's requests are load that the report counts.

One 45 s VOD (30 segments of 1.5 s, 320x180 at 10 fps) is made once with Debian's FFmpeg in two
renditions (about 150 and 400 kbit/s) behind a master playlist. One nginx (harness
StaticOriginTest, in the origin network namespace) serves it and logs every request; hls-swarm
(FFmpeg engine, through the tap) runs in the client namespace. Both runs below start at the same
time (user agents tell them apart); nginx's access log is the ground truth, per viewer.

- VOD pacing: 4 FFmpeg viewers on the 30-segment media playlist for 60 s. Every viewer requests
  the play's segments once, in order, and never more than BURST_S of media ahead of the wall
  time since its play began (the first playlist request), so at most (60 s + BURST_S) of media
  in 60 s; no restarts; each viewer completes one play per VOD length (a completed play, not an
  end of stream) and starts the next one; the report says "VOD". Before issue 12, 4 viewers
  made 1,440 segment requests and 48 "restarts" in 40 s.
- Probe accounted: 2 viewers with -variant highest on the master for 16 s. The report's request
  total with the probe (viewers + the preflight's 2 playlist fetches + ffprobe's requests
  through the tap) equals the number of requests of its user agent in nginx's log, per source
  too; past FFmpeg's probe of its input the viewers play the highest rendition only.
"""

import json
import os
import re
import subprocess
import unittest
from collections import defaultdict

from harness import BIN, Proc, StaticOriginTest

UA = "it-ffvod"
UA_PROBE = "it-ffvod-probe"
SEG_S = 1.5
SEGMENTS = 30
MEDIA_S = SEG_S * SEGMENTS
FPS = 10
VIEWERS = 4
RUN_S = 60
PROBE_VIEWERS = 2
PROBE_RUN_S = 16
# How far ahead of the wall time a paced FFmpeg 5.1 viewer may request: its probe of the input
# (avformat_find_stream_info) reads the first segment(s) before -readrate starts to count, and
# each segment is opened when the previous one is read, so one segment plus that start.
BURST_S = 2 * SEG_S + 0.5
COMPLETED = int(RUN_S // MEDIA_S)  # plays each viewer completes in the run


def make_vod(out_dir):
    """MEDIA_S seconds of test pattern and tone in two renditions behind master.m3u8."""
    gop = str(int(SEG_S * FPS))  # a key frame at every segment boundary
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(MEDIA_S),
            "-map", "0:v", "-map", "1:a", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", gop, "-keyint_min", gop,
            "-sc_threshold", "0", "-b:v:0", "100k", "-b:v:1", "350k", "-c:a", "aac", "-b:a", "48k",
            "-f", "hls", "-hls_time", str(SEG_S), "-hls_playlist_type", "vod",
            "-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1",
            "-hls_segment_filename", os.path.join(out_dir, "s_%v_%03d.ts"),
            os.path.join(out_dir, "p_%v.m3u8")]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"ffmpeg failed: {r.stderr[-2000:]}")
    with open(os.path.join(out_dir, "p_0.m3u8")) as f:
        listed = sum(1 for line in f if line.startswith("#EXTINF"))
    if listed != SEGMENTS:
        raise AssertionError(f"the VOD has {listed} segments, not {SEGMENTS}")


def segment_index(uri):
    m = re.search(r"s_(\d)_(\d+)\.ts$", uri)
    return (int(m[1]), int(m[2])) if m else None


class FfmpegVodTest(StaticOriginTest):
    NETNS_TAG = "fvod"
    READY_PATH = "/master.m3u8"

    @classmethod
    def make_media(cls):
        make_vod(os.path.join(cls.wd, "www"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.run_both()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def run_both(cls):
        """The pacing and the probe runs, started together; their results in cls.pace and
        cls.probe: (summary report, rows of the run's user agent in nginx's log, stderr)."""
        since = os.path.getsize(os.path.join(cls.wd, "access.log"))
        runs = {}
        try:
            runs["pace"] = cls.start_swarm("pace", UA, "/p_0.m3u8", VIEWERS, RUN_S)
            runs["probe"] = cls.start_swarm("probe", UA_PROBE, "/master.m3u8", PROBE_VIEWERS,
                                            PROBE_RUN_S, ("-variant", "highest", "-vod-end", "stop"))
            results = {label: cls.finish_swarm(label, *run) for label, run in runs.items()}
        finally:
            for proc, _ in runs.values():
                proc.stop()
        rows = cls.access_rows(since)
        for label, ua in (("pace", UA), ("probe", UA_PROBE)):
            report, err = results[label]
            mine = [r for r in rows if r["ua"].startswith(ua + "/")]
            setattr(cls, label, (report, mine, err))

    @classmethod
    def start_swarm(cls, label, ua, path, clients, duration, extra=()):
        summary = os.path.join(cls.wd, f"{label}.json")
        swarm = Proc(cls.net.in_client([BIN, "-clients", str(clients), "-ramp-rate", str(clients),
                                        "-ramp-jitter", "0", "-duration", f"{duration}s",
                                        "-tui=false", "-metrics-port", "0", "-user-agent", ua,
                                        "-summary-json", summary, *extra, cls.base + path]),
                     cls.wd, f"swarm-{label}")
        return swarm, duration

    @classmethod
    def finish_swarm(cls, label, swarm, duration):
        """(summary report, stderr) of a run started by start_swarm."""
        rc = swarm.wait(duration + 60)
        if rc != 0:
            raise AssertionError(f"{label}: hls-swarm exited {rc}: {swarm.stderr()[-3000:]}")
        with open(os.path.join(cls.wd, f"{label}.json")) as f:
            return json.load(f), swarm.stderr()

    def test_vod_viewers_watch_in_real_time_and_complete_plays(self):
        report, rows, err = self.pace
        viewers = defaultdict(list)
        for r in rows:
            m = re.search(r"/client-(\d+)$", r["ua"])
            if m:
                viewers[int(m[1])].append(r)
        self.assertEqual(sorted(viewers), list(range(VIEWERS)))
        worst_lead = -1e9
        total_segments = 0
        for v, rs in sorted(viewers.items()):
            rs.sort(key=lambda r: r["msec"] - r["rtime"])
            # Plays start with the media playlist (FFmpeg does not reload a VOD's).
            plays, current = [], None
            for r in rs:
                if r["uri"].endswith(".m3u8"):
                    current = {"start": r["msec"] - r["rtime"], "segments": []}
                    plays.append(current)
                elif segment_index(r["uri"]) and current is not None:
                    current["segments"].append(r)
            self.assertEqual(len(plays), COMPLETED + 1,
                             f"viewer {v}: {len(plays)} plays in {RUN_S} s of a {MEDIA_S} s VOD "
                             f"({COMPLETED} completed, the next begun)")
            for n, play in enumerate(plays):
                got = [segment_index(r["uri"])[1] for r in play["segments"]]
                want = list(range(SEGMENTS if n < COMPLETED else len(got)))
                self.assertEqual(got, want, f"viewer {v}: play {n}'s segments, once, in order")
            for play in plays:
                for r in play["segments"]:
                    idx = segment_index(r["uri"])[1]
                    lead = idx * SEG_S - (r["msec"] - r["rtime"] - play["start"])
                    worst_lead = max(worst_lead, lead)
                    self.assertLessEqual(
                        lead, BURST_S, f"viewer {v}: segment {idx} requested {lead:.2f} s of media "
                                       f"ahead of the wall time of its play")
            segs = sum(len(p["segments"]) for p in plays)
            total_segments += segs
            self.assertLessEqual(segs, (RUN_S + BURST_S) / SEG_S + 1, f"viewer {v}")
        print(f"\n[vod pacing] {VIEWERS} FFmpeg viewers, {MEDIA_S} s VOD, {RUN_S} s run: "
              f"{total_segments} segment requests, worst lead {worst_lead:.2f} s of media ahead "
              f"of wall time, plays completed {report['plays_completed']}, restarts "
              f"{report['restarts']['total']}, exits {report['exits_by_reason']}")
        self.assertEqual(report["stream_type"], "VOD")
        self.assertEqual(report["restarts"]["total"], 0, report["restarts"])
        self.assertEqual(report["plays_completed"], VIEWERS * COMPLETED)
        self.assertNotIn("error", report["exits_by_reason"])
        self.assertNotIn("end_of_stream", report["exits_by_reason"])
        self.assertIn("-readrate", err + " ")  # logged: VOD viewers read in real time

    def test_variant_highest_probe_is_counted(self):
        report, rows, err = self.probe
        by_source = defaultdict(int)
        for r in rows:
            if r["ua"].endswith("/preflight"):
                by_source["preflight"] += 1
            elif r["ua"].endswith("/probe"):
                by_source["ffprobe"] += 1
            else:
                by_source["viewers"] += 1
        probe = report["probe"]
        print(f"\n[probe] origin log {len(rows)} requests {dict(by_source)}; report: viewers "
              f"{report['requests']['total']}, probe {probe['requests']} {probe['by_source']} "
              f"{probe['by_kind']}, {probe['body_bytes']} bytes")
        self.assertEqual(report["requests"]["total_with_probe"], len(rows))
        self.assertEqual(report["requests"]["total"], by_source["viewers"])
        self.assertEqual(probe["by_source"].get("preflight"), by_source["preflight"])
        self.assertEqual(by_source["preflight"], 2)  # the master and its first variant
        self.assertEqual(probe["by_source"].get("ffprobe"), by_source["ffprobe"])
        self.assertGreaterEqual(by_source["ffprobe"], 3)  # master, both variants, segments
        self.assertEqual(probe["unmeasured"], [])
        self.assertEqual(probe["errors"], 0)
        probe_bytes = sum(r["bytes"] for r in rows if r["ua"].endswith(("/preflight", "/probe")))
        self.assertEqual(probe["body_bytes"], probe_bytes)
        # The viewers play the highest rendition (1); FFmpeg's demuxer reads the start of every
        # rendition while it probes its input (SPEC §11), then only the chosen program's.
        viewer_segs = [segment_index(r["uri"]) for r in rows
                       if segment_index(r["uri"]) and "/client-" in r["ua"]
                       and not r["ua"].endswith("/probe")]
        low = sorted({i for rend, i in viewer_segs if rend == 0})
        self.assertLessEqual(max(low, default=0), 2, f"rendition 0 read past the probe: {low}")
        self.assertGreaterEqual(max(i for rend, i in viewer_segs if rend == 1), 5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
