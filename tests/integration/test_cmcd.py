# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 13 acceptance, CMCD (CTA-5004): "the origin's access log shows the CMCD keys with
plausible values (bitrate equals the rendition's, session ids distinct per viewer)".

An nginx edge in front of `fake_abr_origin.py` (renditions of BANDWIDTH 950400, 1645600 and
2890800) logs $request_uri and the four CMCD headers, one server (port) per run. Four native
runs at once, 20 s each:
- `-cmcd query -cmcd-cid movie-1 -variant lowest`, 2 viewers;
- `-cmcd header -variant highest`, 2 viewers;
- `-cmcd header -variant abr`, 1 viewer;
- `-cmcd query -variant lowest`, 2 viewers, through a server that sends every segment whose
  number ends in 0 or 5 at 30 KB/s (~8 s for 2 s of media): forced stalls.
From the access log: every request carries sf=h and its viewer's sid (one per viewer, distinct
across viewers and runs), ot matches the request (m playlists, av segments of the muxed
renditions), br and tb equal the renditions' BANDWIDTH in kbps, d the segment duration, bl and
mtp are multiples of 100 (mtp absent before the first download), st=l once a media playlist is
known, su only on a viewer's first requests (before playback starts), the header run's keys sit
in the headers CTA-5004 puts them in, and the stalled run sends bs exactly once per stall the
run reports (summary-json rebuffer_events, at least 1).
"""
import json
import os
import re
import shutil
import sys
import unittest
import urllib.parse

from harness import BIN, Proc, Workdir, free_port, wait_for

RUN_S = 20
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_abr_origin.py")
KBPS = {"360p": 950, "540p": 1646, "720p": 2891}  # BANDWIDTH / 1000, rounded
UUID_RE = re.compile(r'^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$')
HEADER_KEYS = {"object": {"br", "d", "ot", "tb"}, "request": {"bl", "mtp", "su"},
               "session": {"cid", "sf", "sid", "st"}, "status": {"bs"}}
# name, -cmcd, -variant, viewers, slow segments, extra flags
RUNS = [("q-lowest", "query", "lowest", 2, False, ("-cmcd-cid", "movie-1")),
        ("h-highest", "header", "highest", 2, False, ()),
        ("h-abr", "header", "abr", 1, False, ()),
        ("q-stall", "query", "lowest", 2, True, ())]
LOG_RE = re.compile(r'^(\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)"$')


def nginx_conf(wd, origin_port, ports):
    servers = []
    for (name, _, _, _, slow, _) in RUNS:
        slow_loc = ('        location ~ "/seg_\\d*[05]\\.ts$" {\n'
                    "            limit_rate 30k;\n            proxy_pass http://origin;\n        }\n") if slow else ""
        servers.append(f"    server {{\n        listen 127.0.0.1:{ports[name]};\n{slow_loc}"
                       "        location / {\n            proxy_pass http://origin;\n        }\n    }\n")
    return f"""daemon off;
master_process off;
pid {wd}/nginx.pid;
error_log {wd}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format cmcd '$server_port $msec "$http_user_agent" "$request_uri" "$http_cmcd_object" '
                    '"$http_cmcd_request" "$http_cmcd_session" "$http_cmcd_status"';
    access_log {wd}/access.log cmcd;
    client_body_temp_path {wd}/tmp-body;
    proxy_temp_path {wd}/tmp-proxy;
    fastcgi_temp_path {wd}/tmp-fcgi;
    uwsgi_temp_path {wd}/tmp-uwsgi;
    scgi_temp_path {wd}/tmp-scgi;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    upstream origin {{
        server 127.0.0.1:{origin_port};
        keepalive 16;
    }}
{"".join(servers)}}}
"""


def parse_payload(text, test, where):
    """{'key': 'value' or True} of a CMCD payload, checking the keys are in alphabetical order."""
    out, keys = {}, []
    for item in text.split(","):
        key, eq, value = item.partition("=")
        keys.append(key)
        out[key] = value if eq else True
    test.assertEqual(keys, sorted(keys), f"keys not alphabetical: {where}")
    return out


class CmcdTest(unittest.TestCase):
    def test_cmcd_keys_in_the_edge_log(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            self.skipTest("nginx not installed")
        with Workdir() as wd:
            procs = []
            try:
                origin_port = free_port()
                fake = Proc([sys.executable, "-u", FAKE, "127.0.0.1", str(origin_port)], wd, "fake")
                procs.append(fake)
                self.assertTrue(wait_for(lambda: "ready" in fake.stdout(), 10), fake.stderr())
                ports = {name: free_port() for name, *_ in RUNS}
                conf = os.path.join(wd, "nginx.conf")
                with open(conf, "w") as f:
                    f.write(nginx_conf(wd, origin_port, ports))
                edge = Proc([nginx, "-p", wd, "-c", conf], wd, "nginx")
                procs.append(edge)
                self.assertTrue(wait_for(lambda: os.path.exists(os.path.join(wd, "nginx.pid"))
                                         or edge.p.poll() is not None, 15, 0.05))
                self.assertIsNone(edge.p.poll(), edge.stderr())
                runs = {}
                for name, mode, variant, clients, _, extra in RUNS:
                    summary = os.path.join(wd, f"{name}.json")
                    argv = [BIN, "-engine", "native", "-clients", str(clients), "-ramp-rate", "10",
                            "-duration", f"{RUN_S}s", "-tui=false", "-metrics-port", str(free_port()),
                            "-variant", variant, "-summary-json", summary, "-cmcd", mode, *extra,
                            f"http://127.0.0.1:{ports[name]}/master.m3u8"]
                    runs[name] = (Proc(argv, wd, name), summary)
                    procs.append(runs[name][0])
                for name, (p, _) in runs.items():
                    self.assertEqual(p.wait(RUN_S + 30), 0, p.stderr()[-3000:])
            finally:
                for p in reversed(procs):
                    p.stop()

            port_name = {str(port): name for name, port in ports.items()}
            rows = {name: [] for name in ports}
            with open(os.path.join(wd, "access.log")) as f:
                for line in f:
                    m = LOG_RE.match(line.strip())
                    self.assertIsNotNone(m, line)
                    if "/client-" not in m[3]:
                        self.assertTrue(m[3].endswith("/preflight"), line)  # the stream check
                        self.assertEqual(set(m.group(5, 6, 7, 8)), {"-"}, line)
                        self.assertNotIn("CMCD", m[4], line)
                        continue
                    rows[port_name[m[1]]].append(m)
            sids = set()
            for name, mode, variant, clients, slow, extra in RUNS:
                with open(runs[name][1]) as f:
                    qoe = json.load(f)["qoe"]
                by_viewer = {}
                bs_count = 0
                for m in sorted(rows[name], key=lambda m: float(m[2])):
                    uri = m[4]
                    path, _, query = uri.partition("?")
                    # nginx's log escapes '"' (and other bytes) as \xNN.
                    headers = {h: re.sub(r"\\x([0-9A-Fa-f]{2})", lambda x: chr(int(x[1], 16)), v)
                               for h, v in zip(("object", "request", "session", "status"), m.group(5, 6, 7, 8))}
                    if mode == "query":
                        params = urllib.parse.parse_qs(query, keep_blank_values=True)
                        self.assertEqual(list(params), ["CMCD"], uri)
                        self.assertEqual(set(headers.values()), {"-"}, uri)
                        cmcd = parse_payload(params["CMCD"][0], self, uri)
                    else:
                        self.assertEqual(query, "", uri)
                        cmcd = {}
                        for h, value in headers.items():
                            if value == "-":
                                continue
                            keys = parse_payload(value, self, f"{uri} CMCD-{h}")
                            self.assertLessEqual(set(keys), HEADER_KEYS[h], f"CMCD-{h}: {value}")
                            cmcd.update(keys)
                    where = f"{name} {uri}: {cmcd}"
                    self.assertEqual(cmcd.get("sf"), "h", where)
                    self.assertRegex(cmcd.get("sid", ""), UUID_RE, where)
                    self.assertEqual(cmcd.get("cid"), '"movie-1"' if extra else None, where)
                    by_viewer.setdefault(m[3], []).append((path, cmcd))
                    bs_count += 1 if cmcd.get("bs") is True else 0
                    rendition = path.strip("/").split("/")[0]
                    if path == "/master.m3u8":
                        self.assertEqual(cmcd["ot"], "m", where)
                        self.assertNotIn("br", cmcd, where)
                        self.assertNotIn("st", cmcd, where)
                    elif path.endswith("/stream.m3u8"):
                        self.assertEqual(cmcd["ot"], "m", where)
                        self.assertIn(cmcd.get("st"), (None, "l"), where)  # not known at first
                    else:
                        self.assertIn("/seg_", path, where)
                        self.assertEqual(cmcd["ot"], "av", where)  # muxed: no alternate audio
                        self.assertEqual(cmcd["br"], str(KBPS[rendition]), where)
                        self.assertEqual(cmcd["tb"], str(KBPS["720p" if variant != "lowest" else "360p"]),
                                         where)
                        self.assertEqual(cmcd["d"], "2000", where)
                        self.assertEqual(cmcd["st"], "l", where)
                        self.assertEqual(int(cmcd["bl"]) % 100, 0, where)
                        self.assertLess(int(cmcd["bl"]), 40000, where)
                    if "mtp" in cmcd:
                        self.assertEqual(int(cmcd["mtp"]) % 100, 0, where)
                        self.assertGreater(int(cmcd["mtp"]), 0, where)
                    if variant == "highest":
                        self.assertIn(rendition, ("master.m3u8", "720p"), where)
                    elif variant == "lowest":
                        self.assertIn(rendition, ("master.m3u8", "360p"), where)
                self.assertEqual(len(by_viewer), clients, f"{name}: viewers {list(by_viewer)}")
                for ua, reqs in by_viewer.items():
                    viewer_sids = {c["sid"] for _, c in reqs}
                    self.assertEqual(len(viewer_sids), 1, f"{name} {ua}: sid changes: {viewer_sids}")
                    self.assertFalse(viewer_sids & sids, f"{name} {ua}: sid shared with another viewer")
                    sids |= viewer_sids
                    # su on the first requests only (master, playlist, first segment), then never.
                    su = [c.get("su") is True for _, c in reqs]
                    first_playing = su.index(False) if False in su else len(su)
                    self.assertEqual(reqs[0][0], "/master.m3u8")
                    self.assertTrue(su[0], f"{name} {ua}: no su on the master")
                    self.assertTrue(any("/seg_" in p for p, _ in reqs[:first_playing]),
                                    f"{name} {ua}: no su on the first segment")
                    self.assertGreater(len(reqs) - first_playing, 5, f"{name} {ua}: requests {len(reqs)}")
                    self.assertNotIn(True, su[first_playing:], f"{name} {ua}: su after playback started")
                    segs = [c for p, c in reqs if "/seg_" in p]
                    self.assertNotIn("mtp", segs[0], f"{name} {ua}: mtp before any download")
                    self.assertIn("mtp", segs[-1], f"{name} {ua}")
                print(f"\n[{name}] {len(rows[name])} requests, {len(by_viewer)} viewers, bs {bs_count}, "
                      f"rebuffer events {qoe['rebuffer_events']}; last segment CMCD "
                      f"{segs[-1]}")
                if slow:
                    # bs rides on the first request after every stall (hls.js sets it on the
                    # media element's `waiting`), while a rebuffer event is a stall of 250 ms or
                    # more (hls.js STALL_MINIMUM_DURATION_MS): at least one bs per event.
                    self.assertGreaterEqual(qoe["rebuffer_events"], 1)
                    self.assertGreaterEqual(bs_count, qoe["rebuffer_events"])


if __name__ == "__main__":
    unittest.main()
