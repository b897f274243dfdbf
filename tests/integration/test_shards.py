# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Sharded load: three instances (-shard 0/3, 1/3, 2/3) in three network namespaces, the test
origin and ONE real Prometheus in a fourth ("hub") namespace, scraping all three every second.

Prometheus must see sum(hlsswarm_clients_active) == 12 and three targets up; after SIGTERM each
instance exits 0 with "shutdown complete" and leaves no FFmpeg behind. The origin's access log
must show the viewer ids 0..11 split into three disjoint blocks, one per instance.

The access log has no $remote_addr, so each instance gets its own User-Agent base (UA-s<i>) and
the ids are grouped by it; that each instance really comes from its own source address is checked
on the origin side with `ss` (peers of established connections to the origin port).

Topology (all in namespaces this test creates; the host's network is not touched):
    swarm i netns  veth 10.214.X.(4i+2)/30  <->  10.214.X.(4i+1)/30 veth  hub netns
                                                  (origin on 0.0.0.0:8080, Prometheus on loopback)
"""
import json
import os
import signal
import subprocess
import time
import unittest
import urllib.parse

from harness import (BIN, Proc, Workdir, children_of, have, is_segment, pid_alive, proc_comm,
                     read_access_log, skip_unless_root_netns, start_origin, wait_for)

SHARDS = 3
CLIENTS = 4  # per instance
TOTAL = SHARDS * CLIENTS
ORIGIN_PORT = 8080
METRICS_PORT = 9090
PROM_PORT = 19090  # inside the fresh hub namespace, so nothing else listens there
UA = "it-shard"


def run(argv, timeout=30, check=True):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=check)


class ShardNet:
    """A hub namespace joined to SHARDS swarm namespaces by one veth pair (/30) each."""

    def __init__(self):
        pid = os.getpid()
        self.hub_ns = f"hs-shard-hub-{pid}"
        self.swarm_ns = [f"hs-shard-s{i}-{pid}" for i in range(SHARDS)]
        third = pid % 250
        self.hub_ip = [f"10.214.{third}.{4 * i + 1}" for i in range(SHARDS)]
        self.swarm_ip = [f"10.214.{third}.{4 * i + 2}" for i in range(SHARDS)]
        self._veth = [(f"hsh{pid % 100000}s{i}", f"hsw{pid % 100000}s{i}") for i in range(SHARDS)]

    def create(self):
        run(["ip", "netns", "add", self.hub_ns])
        run(["ip", "-n", self.hub_ns, "link", "set", "lo", "up"])
        for i, ns in enumerate(self.swarm_ns):
            hub_if, swarm_if = self._veth[i]
            run(["ip", "netns", "add", ns])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            run(["ip", "link", "add", hub_if, "netns", self.hub_ns, "type", "veth", "peer", "name",
                 swarm_if, "netns", ns])
            run(["ip", "-n", self.hub_ns, "addr", "add", f"{self.hub_ip[i]}/30", "dev", hub_if])
            run(["ip", "-n", ns, "addr", "add", f"{self.swarm_ip[i]}/30", "dev", swarm_if])
            run(["ip", "-n", self.hub_ns, "link", "set", hub_if, "up"])
            run(["ip", "-n", ns, "link", "set", swarm_if, "up"])

    def remove(self):
        """Deletes every namespace (and with it its veth ends); safe after a partial create()."""
        for ns in self.swarm_ns + [self.hub_ns]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)

    def in_hub(self, argv):
        return ["ip", "netns", "exec", self.hub_ns] + argv

    def in_swarm(self, i, argv):
        return ["ip", "netns", "exec", self.swarm_ns[i]] + argv

    def hub_get(self, url, timeout=3):
        """Body of url fetched from inside the hub namespace, or None."""
        r = subprocess.run(self.in_hub(["curl", "-s", "--fail", "--max-time", str(timeout), url]),
                           capture_output=True, text=True, timeout=timeout + 10)
        return r.stdout if r.returncode == 0 else None


class ShardsTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)
        if not have("prometheus"):
            self.skipTest("needs the prometheus server binary (Debian package prometheus)")
        if not have("ss"):
            self.skipTest("needs ss (iproute2)")

    def prom_query(self, net, expr):
        """The instant vector of expr as [(labels, float)], or None when Prometheus does not answer."""
        url = (f"http://127.0.0.1:{PROM_PORT}/api/v1/query?"
               + urllib.parse.urlencode({"query": expr}))
        body = net.hub_get(url)
        if body is None:
            return None
        doc = json.loads(body)
        if doc.get("status") != "success":
            return None
        return [(r["metric"], float(r["value"][1])) for r in doc["data"]["result"]]

    def prom_scalar(self, net, expr):
        """Value of a one-element query result, or None (no answer, or empty result)."""
        res = self.prom_query(net, expr)
        return res[0][1] if res else None

    def start_prometheus(self, wd, net, job):
        targets = ", ".join(f"'{ip}:{METRICS_PORT}'" for ip in net.swarm_ip)
        conf = os.path.join(wd, "prometheus.yml")
        with open(conf, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    f"scrape_configs:\n  - job_name: '{job}'\n    scrape_timeout: 1s\n"
                    f"    static_configs:\n      - targets: [{targets}]\n")
        tsdb = os.path.join(wd, "tsdb")
        os.makedirs(tsdb)
        prom = Proc(net.in_hub(["prometheus", f"--config.file={conf}", f"--storage.tsdb.path={tsdb}",
                                f"--web.listen-address=127.0.0.1:{PROM_PORT}", "--log.level=warn"]),
                    wd, "prometheus")
        self.addCleanup(prom.stop)
        ready = wait_for(lambda: prom.p.poll() is not None
                         or net.hub_get(f"http://127.0.0.1:{PROM_PORT}/-/ready") is not None, 30, 0.3)
        self.assertTrue(ready and prom.p.poll() is None, "prometheus did not start: " + prom.stderr()[-2000:])
        return prom

    def origin_peers(self, net):
        """Peer addresses of established TCP connections to the origin port, seen in the hub."""
        r = run(net.in_hub(["ss", "-Htn", "state", "established", f"( sport = :{ORIGIN_PORT} )"]),
                check=False)
        peers = set()
        for line in r.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 4:
                peers.add(fields[3].rsplit(":", 1)[0])
        return peers

    def test_three_shards_one_prometheus(self):
        t0 = time.monotonic()
        wd = self.enterContext(Workdir())  # removed last, after the namespaces
        net = ShardNet()
        self.addCleanup(net.remove)  # registered before any process, so it runs after they stop
        net.create()
        job = f"hls-swarm-shards-{os.getpid()}"

        origin, odir = start_origin(wd, "tiny", "0.0.0.0", ORIGIN_PORT, net.in_hub)
        self.addCleanup(origin.stop)
        self.start_prometheus(wd, net, job)

        swarms = []
        for i in range(SHARDS):
            url = f"http://{net.hub_ip[i]}:{ORIGIN_PORT}/stream.m3u8"
            swarm = Proc(net.in_swarm(i, [BIN, "-shard", f"{i}/{SHARDS}", "-clients", str(CLIENTS),
                                          "-ramp-rate", "20", "-duration", "80s", "-tui=false",
                                          "-metrics", f"0.0.0.0:{METRICS_PORT}",
                                          "-user-agent", f"{UA}-s{i}", url]), wd, f"swarm{i}")
            self.addCleanup(swarm.stop)
            swarms.append(swarm)
        print(f"\nsetup (namespaces, origin, prometheus, swarms started) {time.monotonic() - t0:.1f}s")

        t_wait = time.monotonic()
        wait_for(lambda: self.prom_scalar(net, "sum(hlsswarm_clients_active)") == TOTAL
                 or any(s.p.poll() is not None for s in swarms), 40, 0.5)
        active = self.prom_scalar(net, "sum(hlsswarm_clients_active)")
        print(f"prometheus: sum(hlsswarm_clients_active) = {active} after {time.monotonic() - t_wait:.1f}s")
        self.assertEqual(active, TOTAL, "\n".join(s.stderr()[-1500:] for s in swarms))
        up = self.prom_scalar(net, f'count(up{{job="{job}"}} == 1)')
        self.assertEqual(up, SHARDS)
        per_instance = {r[0]["instance"]: r[1] for r in
                        self.prom_query(net, f'sum by (instance) (hlsswarm_clients_active{{job="{job}"}})')}
        print(f"prometheus: up targets {up}, active per instance {per_instance}")
        self.assertEqual(per_instance, {f"{ip}:{METRICS_PORT}": CLIENTS for ip in net.swarm_ip})

        # Let every viewer fetch some segments; the origin sees one source address per instance.
        wait_for(lambda: self.origin_peers(net) == set(net.swarm_ip), 10, 0.5)
        peers = self.origin_peers(net)
        print(f"origin peers: {sorted(peers)}")
        self.assertEqual(peers, set(net.swarm_ip))
        time.sleep(4)

        ffmpeg = {i: [p for p in children_of(s.pid) if proc_comm(p) == "ffmpeg"]
                  for i, s in enumerate(swarms)}
        for i, pids in ffmpeg.items():
            self.assertEqual(len(pids), CLIENTS, f"swarm {i} FFmpeg children: {pids}")
        t_stop = time.monotonic()
        for s in swarms:
            s.signal(signal.SIGTERM)
        codes = [s.wait(15) for s in swarms]
        print(f"SIGTERM to all exited: {time.monotonic() - t_stop:.2f}s, exit codes {codes}")
        for i, (s, code) in enumerate(zip(swarms, codes)):
            self.assertEqual(code, 0, f"swarm {i}: {s.stderr()[-2000:]}")
            self.assertIn("shutdown complete", s.stderr().strip().splitlines()[-1], f"swarm {i}")
        survivors = [p for pids in ffmpeg.values() for p in pids if pid_alive(p)]
        self.assertFalse(survivors, "FFmpeg survived its hls-swarm")

        time.sleep(0.5)  # let nginx write the last lines
        ids = {i: set() for i in range(SHARDS)}
        with_segments = set()
        for r in read_access_log(os.path.join(odir, "access.log")):
            base, sep, cid = r["ua"].rpartition("/client-")
            if sep and base.startswith(UA + "-s"):
                ids[int(base[len(UA) + 2:])].add(int(cid))
                if is_segment(r["uri"]) and r["status"] in (200, 206):
                    with_segments.add(int(cid))
        print("client ids per instance:", {i: sorted(v) for i, v in ids.items()})
        self.assertEqual(with_segments, set(range(TOTAL)), "viewers with no segment fetched")
        for i in range(SHARDS):
            self.assertEqual(ids[i], set(range(i * CLIENTS, (i + 1) * CLIENTS)), f"shard {i}")
        for i in range(SHARDS):
            for j in range(i + 1, SHARDS):
                self.assertFalse(ids[i] & ids[j], f"shards {i} and {j} share ids")
        self.assertEqual(set().union(*ids.values()), set(range(TOTAL)))
        print(f"test body {time.monotonic() - t0:.1f}s")


if __name__ == "__main__":
    unittest.main(verbosity=2)
