# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 12 acceptance, parts 1 and 3: FFmpeg viewers watch a VOD like viewers, and the
probe's requests are load that the report counts.

One 30 s VOD (2 s x 15 segments, 320x180 at 10 fps) is made once with Debian's FFmpeg in two
renditions (about 150 and 400 kbit/s) behind a master playlist. One nginx (own config, in the
origin network namespace) serves it and logs every request; hls-swarm (FFmpeg engine, through
the tap) runs in the client namespace. nginx's access log is the ground truth, per viewer (user
agent).

- VOD pacing: 4 FFmpeg viewers on the 30 s media playlist for 40 s. Every viewer requests the
  play's segments once, in order, and never more than BURST_S of media ahead of the wall time
  since its play began (the first playlist request); no restarts; each viewer completes its
  first play (a completed play, not an end of stream) and starts the next one; the report says
  "VOD". Before issue 12, 4 viewers made 1,440 segment requests and 48 "restarts" in 40 s.
- Probe accounted: 2 viewers with -variant highest on the master for 16 s. The report's request
  total with the probe (viewers + the preflight's 2 playlist fetches + ffprobe's requests
  through the tap) equals the number of requests of our user agent in nginx's log, per source
  too; past FFmpeg's probe of its input the viewers play the highest rendition only.
"""
import json
import os
import re
import shutil
import subprocess
import unittest
from collections import defaultdict

from harness import (BIN, NetnsPair, Proc, Workdir, read_access_log, skip_unless_root_netns,
                     wait_for)

UA = "it-ffvod"
PORT = 8080
MEDIA_S = 30
SEG_S = 2
SEGMENTS = MEDIA_S // SEG_S
VIEWERS = 4
RUN_S = 40
# How far ahead of the wall time a paced FFmpeg 5.1 viewer may request: its probe of the input
# (avformat_find_stream_info) reads the first segment(s) before -readrate starts to count, and
# each segment is opened when the previous one is read, so one segment plus that start.
BURST_S = 2 * SEG_S + 0.5

NGINX_CONF = """daemon off;
worker_processes 1;
pid {wd}/nginx.pid;
error_log {wd}/error.log;
events {{ worker_connections 1024; }}
http {{
    types {{
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
    }}
    default_type application/octet-stream;
    client_body_temp_path {wd}/tmp/body;
    proxy_temp_path {wd}/tmp/proxy;
    fastcgi_temp_path {wd}/tmp/fastcgi;
    uwsgi_temp_path {wd}/tmp/uwsgi;
    scgi_temp_path {wd}/tmp/scgi;
    log_format it '$msec $status $body_bytes_sent $request_time "$http_user_agent" $request_uri $connection $connection_requests $bytes_sent';
    access_log {wd}/access.log it;
    server {{
        listen {ip}:{port};
        root {wd}/www;
    }}
}}
"""


def make_vod(out_dir):
    """MEDIA_S seconds of test pattern and tone in two renditions behind master.m3u8."""
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(MEDIA_S),
            "-map", "0:v", "-map", "1:a", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-keyint_min", "20",
            "-sc_threshold", "0", "-b:v:0", "100k", "-b:v:1", "350k", "-c:a", "aac", "-b:a", "48k",
            "-f", "hls", "-hls_time", str(SEG_S), "-hls_playlist_type", "vod",
            "-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1",
            "-hls_segment_filename", os.path.join(out_dir, "s_%v_%03d.ts"),
            os.path.join(out_dir, "p_%v.m3u8")]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"ffmpeg failed: {r.stderr[-2000:]}")


def segment_index(uri):
    m = re.search(r"s_(\d)_(\d+)\.ts$", uri)
    return (int(m[1]), int(m[2])) if m else None


class FfmpegVodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_unless_root_netns(cls)
        cls._wd = Workdir()
        cls.wd = cls._wd.__enter__()
        try:
            os.makedirs(os.path.join(cls.wd, "www"))
            make_vod(os.path.join(cls.wd, "www"))
            cls._net = NetnsPair("fvod")
            cls.net = cls._net.__enter__()
        except BaseException:
            cls._wd.__exit__(None, None, None)
            raise
        try:
            cls.start_nginx()
        except BaseException:
            cls._net.__exit__(None, None, None)
            cls._wd.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.nginx.stop()
        finally:
            cls._net.__exit__(None, None, None)
            cls._wd.__exit__(None, None, None)

    @classmethod
    def start_nginx(cls):
        os.makedirs(os.path.join(cls.wd, "tmp"))
        os.chmod(cls.wd, 0o755)  # nginx's workers do not run as root
        conf = os.path.join(cls.wd, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(wd=cls.wd, ip=cls.net.origin_ip, port=PORT))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        argv = [nginx, "-p", cls.wd, "-e", os.path.join(cls.wd, "error.log"), "-c", conf]
        cls.nginx = Proc(cls.net.in_origin(argv), cls.wd, "nginx")
        url = f"http://{cls.net.origin_ip}:{PORT}/master.m3u8"
        try:
            up = wait_for(lambda: cls.net.curl(cls.net.client_ns, url) is not None
                          or cls.nginx.p.poll() is not None, 20)
            if not up or cls.nginx.p.poll() is not None:
                raise AssertionError(f"nginx did not start: {cls.nginx.stderr()[-2000:]}")
        except BaseException:
            cls.nginx.stop()
            raise
        cls.base = f"http://{cls.net.origin_ip}:{PORT}"

    @classmethod
    def run_swarm(cls, label, path, clients, duration, extra=()):
        """Runs FFmpeg viewers; returns (summary report, rows of our user agent in nginx's log
        for this run, hls-swarm's stderr)."""
        log_path = os.path.join(cls.wd, "access.log")
        since = os.path.getsize(log_path)
        summary = os.path.join(cls.wd, f"{label}.json")
        swarm = Proc(cls.net.in_client([BIN, "-clients", str(clients), "-ramp-rate", str(clients),
                                        "-ramp-jitter", "0", "-duration", f"{duration}s",
                                        "-tui=false", "-metrics-port", "0", "-user-agent", UA,
                                        "-summary-json", summary, *extra, cls.base + path]),
                     cls.wd, f"swarm-{label}")
        try:
            rc = swarm.wait(duration + 60)
        finally:
            swarm.stop()
        if rc != 0:
            raise AssertionError(f"{label}: hls-swarm exited {rc}: {swarm.stderr()[-3000:]}")
        with open(summary) as f:
            report = json.load(f)
        part = f"{log_path}.{label}"
        with open(log_path, "rb") as f, open(part, "wb") as out:
            f.seek(since)
            out.write(f.read())
        rows = [r for r in read_access_log(part) if r["ua"].startswith(UA + "/")]
        return report, rows, swarm.stderr()

    def test_vod_viewers_watch_in_real_time_and_complete_plays(self):
        report, rows, err = self.run_swarm("pace", "/p_0.m3u8", VIEWERS, RUN_S)
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
            self.assertEqual(len(plays), 2, f"viewer {v}: {len(plays)} plays in {RUN_S} s of a "
                                            f"{MEDIA_S} s VOD (one completed, the next begun)")
            first = [segment_index(r["uri"])[1] for r in plays[0]["segments"]]
            self.assertEqual(first, list(range(SEGMENTS)), f"viewer {v}: first play's segments")
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
        self.assertEqual(report["plays_completed"], VIEWERS)
        self.assertNotIn("error", report["exits_by_reason"])
        self.assertNotIn("end_of_stream", report["exits_by_reason"])
        self.assertIn("-readrate", err + " ")  # logged: VOD viewers read in real time

    def test_variant_highest_probe_is_counted(self):
        report, rows, err = self.run_swarm("probe", "/master.m3u8", 2, 16,
                                           ("-variant", "highest", "-vod-end", "stop"))
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
