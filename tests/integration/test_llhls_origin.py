# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 14 acceptance, the LL-HLS origin's conformance (SPEC §13), checked by a small client:

- the playlist: EXT-X-VERSION 9, PART-HOLD-BACK >= 3 x PART-TARGET, CAN-SKIP-UNTIL >= 6 x
  target duration, every part no longer than PART-TARGET, a preload hint;
- every listed segment's bytes are the concatenation of its parts' bytes;
- blocking reloads: a chain of reloads for the next part each return the playlist that holds
  it, paced by the parts (about one part duration apart, not at once and not after a timeout);
  a held reload and a held preload-hint request for the same part return within one part
  duration of each other (the hint's answer is the part appearing);
- 400 for `_HLS_part` without `_HLS_msn`, a bad number, and `_HLS_msn` more than two segments
  ahead; 503 when nothing new appears for 3 target durations (the generator is paused with
  SIGSTOP for that case);
- `_HLS_skip=YES` delta updates merge with the full playlist into exactly the full playlist;
- the access log (same format as the nginx profiles) lists exactly the requests made, also
  those that reach a busy origin together with the client's close (200, or 499 for one it
  would have held), and /nginx_status speaks stub_status.
"""
import http.client
import os
import re
import signal
import socket
import threading
import time
import unittest
from collections import Counter

from harness import Workdir, children_of, free_port, proc_comm, read_access_log, start_origin, wait_for

UA = "llhls-conformance"


class Client:
    """Keep-alive HTTP client that remembers every request it made (uri, status)."""

    def __init__(self, port):
        self.port = port
        self.made = []
        self.lock = threading.Lock()

    def get(self, uri, timeout=15):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", uri, headers={"User-Agent": UA})
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        with self.lock:
            self.made.append((uri, r.status))
        return r.status, body


def attrs(line):
    out = {}
    for m in re.finditer(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]):
        out[m[1]] = m[2].strip('"')
    return out


def parse(text):
    """(header lines, [(msn, lines of that segment)], tail lines, info)."""
    lines = text.strip().split("\n")
    info = {"parts": [], "segments": []}
    header, blocks, tail = [], [], []
    msn = None
    for line in lines:
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            msn = int(line.split(":")[1])
            info["media_sequence"] = msn
        if line.startswith("#EXT-X-SKIP:"):
            msn += int(attrs(line)["SKIPPED-SEGMENTS"])
            info["skipped"] = int(attrs(line)["SKIPPED-SEGMENTS"])
            continue
        if line.startswith(("#EXT-X-PRELOAD-HINT", "#EXT-X-RENDITION-REPORT")):
            tail.append(line)
            if "PRELOAD-HINT" in line:
                m = re.match(r"part_(\d+)_(\d+)\.m4s", attrs(line)["URI"])
                info["hint"] = (int(m[1]), int(m[2]))
            continue
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME"):
            blocks.append([msn, [line]])
            msn += 1
            continue
        if not blocks:
            header.append(line)
            for key in ("PART-INF", "SERVER-CONTROL", "TARGETDURATION", "VERSION"):
                if line.startswith("#EXT-X-" + key + ":"):
                    info[key] = attrs(line) if "=" in line else line.split(":")[1]
            continue
        blocks[-1][1].append(line)
        if line.startswith("#EXT-X-PART:"):
            info["parts"].append(attrs(line))
        elif line.startswith("seg_"):
            info["segments"].append(line)
    return header, blocks, tail, info


class LlhlsOriginTest(unittest.TestCase):
    def test_conformance(self):
        with Workdir() as wd:
            port = free_port()
            origin, odir = start_origin(wd, profile="ll-hls", port=port)
            try:
                self.check(origin, odir, Client(port))
            finally:
                origin.stop()

    def test_abr_master_and_rendition_reports(self):
        with Workdir() as wd:
            port = free_port()
            origin, _ = start_origin(wd, profile="ll-hls-abr", port=port)
            try:
                c = Client(port)
                st, master = c.get("/master.m3u8")
                self.assertEqual(st, 200)
                variants = [x for x in master.decode().split("\n") if x.endswith("stream.m3u8")]
                self.assertEqual(variants, ["180p/stream.m3u8", "360p/stream.m3u8"])
                for v in variants:
                    _, body = c.get("/" + v)
                    _, _, tail, info = parse(body.decode())
                    reports = [attrs(x) for x in tail if x.startswith("#EXT-X-RENDITION-REPORT")]
                    other = [x for x in variants if x != v][0]
                    self.assertEqual([r["URI"] for r in reports], ["../" + other])
                    # Renditions are encoded side by side: the other's last part is near ours.
                    self.assertLessEqual(abs(int(reports[0]["LAST-MSN"]) - info["hint"][0]), 1)
            finally:
                origin.stop()

    def check(self, origin, odir, c):
        st, body = c.get("/stream.m3u8")
        self.assertEqual(st, 200)
        header, blocks, tail, info = parse(body.decode())
        part_target = float(info["PART-INF"]["PART-TARGET"])
        target = int(info["TARGETDURATION"])
        sc = info["SERVER-CONTROL"]
        self.assertEqual(info["VERSION"], "9")
        self.assertEqual(sc["CAN-BLOCK-RELOAD"], "YES")
        self.assertGreaterEqual(float(sc["PART-HOLD-BACK"]), 3 * part_target - 1e-9)
        self.assertGreaterEqual(float(sc["CAN-SKIP-UNTIL"]), 6 * target)
        self.assertIn("hint", info)
        self.assertTrue(info["parts"], body)
        for p in info["parts"]:
            self.assertLessEqual(float(p["DURATION"]), part_target, p)
        self.assertEqual(info["parts"][0].get("INDEPENDENT"), "YES")
        st, init = c.get("/init.mp4")
        self.assertEqual((st, init[4:8]), (200, b"ftyp"))

        # A segment is its parts: wait for one complete segment that still lists its parts.
        def listed_whole_segment():
            _, bl, _, _ = parse(c.get("/stream.m3u8")[1].decode())
            for msn, lines in bl:
                parts = [attrs(x)["URI"] for x in lines if x.startswith("#EXT-X-PART:")]
                if parts and any(x.startswith("seg_") for x in lines):
                    return msn, parts
            return None
        found = wait_for(listed_whole_segment, 10, 0.5)
        self.assertTrue(found)
        msn, parts = found
        st, seg = c.get(f"/seg_{msn}.m4s")
        self.assertEqual(st, 200)
        joined = b"".join(c.get("/" + p)[1] for p in parts)
        self.assertEqual(seg, joined)
        self.assertEqual(len(parts), round(target / part_target))

        # Blocking reloads, a chain of six: each returns once the requested part exists.
        _, _, _, info = parse(c.get("/stream.m3u8")[1].decode())
        m, p = info["hint"]
        returned = []
        for _ in range(6):
            t0 = time.monotonic()
            st, body = c.get(f"/stream.m3u8?_HLS_msn={m}&_HLS_part={p}")
            returned.append(time.monotonic() - t0)
            self.assertEqual(st, 200)
            self.assertTrue(f'URI="part_{m}_{p}.m4s"' in body.decode() or
                            f"seg_{m}.m4s" in body.decode(), body)
            m, p = parse(body.decode())[3]["hint"]
        # Paced by the parts: the six took about six part durations (0.33 s each), and none
        # waited for a timeout.
        self.assertGreater(sum(returned), 3 * part_target, returned)
        self.assertLess(sum(returned), 6 * part_target + 3.0, returned)
        self.assertLess(max(returned), 3 * target, returned)

        # A held reload and the held preload hint for the same part come back together.
        done = {}

        def fetch(key, uri):
            st, b = c.get(uri)
            done[key] = (time.monotonic(), st, b)
        threads = [threading.Thread(target=fetch, args=("pl", f"/stream.m3u8?_HLS_msn={m}&_HLS_part={p}")),
                   threading.Thread(target=fetch, args=("part", f"/part_{m}_{p}.m4s"))]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        self.assertEqual(done["pl"][1], 200)
        self.assertEqual(done["part"][1], 200)
        self.assertGreater(len(done["part"][2]), 100)
        self.assertLess(abs(done["pl"][0] - done["part"][0]), part_target,
                        (done["pl"][0] - t0, done["part"][0] - t0))

        # 400s.
        last = parse(c.get("/stream.m3u8")[1].decode())[3]["hint"][0]
        for uri in ("/stream.m3u8?_HLS_part=1", "/stream.m3u8?_HLS_msn=abc",
                    f"/stream.m3u8?_HLS_msn={last + 3}", "/stream.m3u8?_HLS_msn=1&_HLS_skip=NO"):
            self.assertEqual(c.get(uri)[0], 400, uri)

        # 503: the generator stops (SIGSTOP) and a held reload gives up after 3 target durations.
        ffmpegs = [pid for pid in children_of(origin.pid) if proc_comm(pid) == "ffmpeg"]
        self.assertEqual(len(ffmpegs), 1)
        _, _, _, info = parse(c.get("/stream.m3u8")[1].decode())
        m, p = info["hint"]
        os.kill(ffmpegs[0], signal.SIGSTOP)
        try:
            # Parts already in the pipe still arrive; ask for one a segment further on.
            t0 = time.monotonic()
            st, _ = c.get(f"/stream.m3u8?_HLS_msn={m + 1}&_HLS_part={p}", timeout=20)
            held = time.monotonic() - t0
        finally:
            os.kill(ffmpegs[0], signal.SIGCONT)
        self.assertEqual(st, 503)
        self.assertGreater(held, 3 * target - 0.5)
        self.assertLess(held, 3 * target + 3.0)

        # Delta updates: a full and a delta reload held for the same part, merged. Skipping
        # needs more than CAN-SKIP-UNTIL (12 s) in the playlist.
        self.assertTrue(wait_for(lambda: len(parse(c.get("/stream.m3u8")[1].decode())[3]["segments"])
                                 * target > float(sc["CAN-SKIP-UNTIL"]) + target, 20, 1.0))
        for attempt in range(5):
            _, _, _, info = parse(c.get("/stream.m3u8")[1].decode())
            m, p = info["hint"]
            res = {}
            q = f"_HLS_msn={m}&_HLS_part={p}"
            threads = [threading.Thread(target=lambda: res.__setitem__("full", c.get("/stream.m3u8?" + q))),
                       threading.Thread(target=lambda: res.__setitem__("delta", c.get("/stream.m3u8?" + q + "&_HLS_skip=YES")))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            full, delta = res["full"][1].decode(), res["delta"][1].decode()
            fh, fb, ft, fi = parse(full)
            dh, db, dt, di = parse(delta)
            if ft == dt:
                break
        self.assertEqual(ft, dt, "full and delta reloads never saw the same last part")
        self.assertGreater(di.get("skipped", 0), 0, delta)
        self.assertEqual(dh, fh)
        merged = fb[:di["skipped"]] + db
        self.assertEqual(merged, fb)
        self.assertNotIn("#EXT-X-SKIP", full)

        # A request that reaches a busy origin together with the client's close is still logged
        # (200, or 499 when it would have been held), as nginx logs it: the origin process is
        # paused while 10 clients each send a request and close at once.
        hint_msn = parse(c.get("/stream.m3u8")[1].decode())[3]["hint"][0]
        os.kill(origin.pid, signal.SIGSTOP)
        try:
            for i in range(10):
                uri = "/init.mp4" if i % 2 else f"/stream.m3u8?_HLS_msn={hint_msn + 1}"
                with socket.create_connection(("127.0.0.1", c.port), timeout=5) as s:
                    s.sendall(f"GET {uri} HTTP/1.1\r\nHost: x\r\nUser-Agent: cut-off\r\n\r\n".encode())
        finally:
            os.kill(origin.pid, signal.SIGCONT)

        def cut_off():
            return Counter(r["status"] for r in read_access_log(os.path.join(odir, "access.log"))
                           if r["ua"] == "cut-off")
        wait_for(lambda: sum(cut_off().values()) >= 10, 5)
        self.assertEqual(cut_off(), Counter({200: 5, 499: 5}))

        # stub_status and the access log.
        st, status = c.get("/nginx_status")
        self.assertRegex(status.decode(), r"^Active connections: \d+ \nserver accepts handled requests\n"
                                          r" \d+ \d+ \d+ \nReading: \d+ Writing: \d+ Waiting: \d+ \n$")
        made = Counter((u, s) for u, s in c.made if u != "/nginx_status")

        def logged():
            return Counter((r["uri"], r["status"]) for r in read_access_log(os.path.join(odir, "access.log"))
                           if r["ua"] == UA)
        wait_for(lambda: logged() == made, 5)
        self.assertEqual(logged(), made)


if __name__ == "__main__":
    unittest.main()
