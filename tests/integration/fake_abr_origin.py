# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""A live ABR origin without an encoder, for tests that need exact real time on a busy machine:
a master over three renditions (BANDWIDTH as the bundled `abr` profile writes them), live media
playlists of 2 s segments (a 10-segment window, EXT-X-PROGRAM-DATE-TIME = the wall-clock start
of each segment, a segment listed once it has ended) and segments of BANDWIDTH × 2 s / 8 zero
bytes, answered with `X-Cache: MISS` when the segment number is a multiple of 3 and
`X-Cache: HIT` otherwise (playlists carry no cache header). HTTP/1.1 keep-alive.
Usage: fake_abr_origin.py ADDR PORT"""
import sys
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEG_S = 2
WINDOW = 10
RENDITIONS = {"360p": 950400, "540p": 1645600, "720p": 2890800}
T0 = time.time() - WINDOW * SEG_S  # a full window is there from the start
BODIES = {r: bytes(bw * SEG_S // 8) for r, bw in RENDITIONS.items()}
MASTER = "#EXTM3U\n#EXT-X-VERSION:3\n" + "".join(
    f"#EXT-X-STREAM-INF:BANDWIDTH={bw},CODECS=\"avc1.64001f,mp4a.40.2\"\n{r}/stream.m3u8\n"
    for r, bw in RENDITIONS.items())


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"


def media_playlist():
    last = int((time.time() - T0) // SEG_S) - 1
    first = max(0, last - WINDOW + 1)
    out = [f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{SEG_S}\n#EXT-X-MEDIA-SEQUENCE:{first}\n"]
    for k in range(first, last + 1):
        out.append(f"#EXT-X-PROGRAM-DATE-TIME:{iso(T0 + k * SEG_S)}\n#EXTINF:{SEG_S}.000,\nseg_{k}.ts\n")
    return "".join(out)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        body, ctype, cache = None, "application/vnd.apple.mpegurl", None
        if path == "/master.m3u8":
            body = MASTER.encode()
        elif len(parts) == 2 and parts[0] in RENDITIONS and parts[1] == "stream.m3u8":
            body = media_playlist().encode()
        elif len(parts) == 2 and parts[0] in RENDITIONS and parts[1].startswith("seg_"):
            body, ctype = BODIES[parts[0]], "video/mp2t"
            cache = "MISS" if int(parts[1][4:].split(".")[0]) % 3 == 0 else "HIT"
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if cache:
            self.send_header("X-Cache", cache)
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()
