# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 10 acceptance: native viewers resolve names like a population of clients.

A DNS server the test starts (fake_dns.py, in the origin's network namespace) answers the test
name with two addresses, each an nginx serving the same live stream. 20 native viewers in the
client namespace (its /etc/netns resolv.conf points at that server):
- the requests split between the two edges within 10 % of half, and the report shows the split;
- with the resolver answering only after 2.5 s, viewers already playing keep being served:
  no viewer waits more than one target duration (plus slack) between two segment requests.
"""
import json
import os
import subprocess
import unittest
from collections import defaultdict

from harness import (BIN, NetnsPair, Proc, Workdir, read_access_log, skip_unless_root_netns,
                     start_extra_nginx, start_origin, wait_for)

UA = "it-dns"
VIEWERS = 20
NAME = "edge.test"
FAKE_DNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_dns.py")


class NativeDnsTest(unittest.TestCase):
    def setUp(self):
        skip_unless_root_netns(self)

    def run_case(self, delay_s):
        with Workdir() as wd, NetnsPair(f"dn{int(delay_s)}") as net:
            second_ip = net.origin_ip.rsplit(".", 1)[0] + ".3"
            subprocess.run(["ip", "-n", net.origin_ns, "addr", "add", f"{second_ip}/24", "dev",
                            net.veth_o], check=True, capture_output=True)
            etc = f"/etc/netns/{net.client_ns}"
            os.makedirs(etc, exist_ok=True)
            procs = []
            try:
                with open(os.path.join(etc, "resolv.conf"), "w") as f:
                    f.write(f"nameserver {net.origin_ip}\noptions attempts:2 timeout:5\n")
                origin, odir = start_origin(wd, "default", net.origin_ip, 8080, net.in_origin)
                procs.append(origin)
                edge2, log2 = start_extra_nginx(wd, odir, "nginx-edge2", f"{second_ip}:8080 backlog=4096",
                                                net.in_origin)
                procs.append(edge2)
                count_file = os.path.join(wd, "dns-queries")
                dns = Proc(net.in_origin(["python3", FAKE_DNS, net.origin_ip, "53", NAME,
                                          f"{net.origin_ip},{second_ip}", "1", str(delay_s),
                                          count_file]), wd, "dns")
                procs.append(dns)
                self.assertTrue(wait_for(lambda: net.curl(net.client_ns, f"http://{second_ip}:8080/stream.m3u8")
                                         is not None, 15), "second edge not serving")
                resolves = lambda: subprocess.run(net.in_client(["getent", "hosts", NAME]),
                                                  capture_output=True).returncode == 0
                self.assertTrue(wait_for(resolves, 20), "the test's DNS server does not answer")
                summary = os.path.join(wd, "summary.json")
                swarm = Proc(net.in_client([BIN, "-engine", "native", "-clients", str(VIEWERS),
                                            "-ramp-rate", "10", "-duration", "30s", "-tui=false",
                                            "-metrics-port", "0", "-user-agent", UA,
                                            "-summary-json", summary,
                                            f"http://{NAME}:8080/stream.m3u8"]), wd, "swarm")
                procs.append(swarm)
                self.assertEqual(swarm.wait(120), 0, swarm.stderr()[-3000:])
                with open(summary) as f:
                    report = json.load(f)
                with open(count_file) as f:
                    queries = int(f.read() or 0)
            finally:
                for p in reversed(procs):
                    p.stop()
                subprocess.run(["rm", "-rf", etc])
            logs = {net.origin_ip: read_access_log(os.path.join(odir, "access.log")),
                    second_ip: read_access_log(log2)}
            return report, logs, queries

    def test_viewers_split_over_both_edges_and_the_report_shows_it(self):
        report, logs, queries = self.run_case(0)
        counts = {ip: len([r for r in rows if r["ua"].startswith(UA + "/")]) for ip, rows in logs.items()}
        total = sum(counts.values())
        print(f"\nrequests per edge (nginx logs): {counts}; DNS A queries {queries}; "
              f"report: {report['tap']['requests_by_edge']}")
        for ip, n in counts.items():
            self.assertLessEqual(abs(n / total - 0.5), 0.05, f"{ip}: {n} of {total}")
        by_edge = report["tap"]["requests_by_edge"]
        self.assertEqual(sorted(by_edge), sorted(f"{ip}:8080" for ip in logs))
        self.assertEqual(report["viewers"]["peak_active"], VIEWERS)

    def test_a_slow_resolver_does_not_stall_playing_viewers(self):
        report, logs, queries = self.run_case(2.5)
        gaps = []
        for rows in logs.values():
            by_viewer = defaultdict(list)
            for r in rows:
                if r["ua"].startswith(UA + "/") and r["uri"].endswith(".ts"):
                    by_viewer[r["ua"]].append(r["msec"])
            for times in by_viewer.values():
                times.sort()
                gaps += [b - a for a, b in zip(times, times[1:])]
        print(f"\nslow DNS (2.5 s per answer): {queries} A queries; largest gap between a viewer's "
              f"segment requests {max(gaps):.2f} s over {len(gaps)} gaps; peak active "
              f"{report['viewers']['peak_active']}")
        self.assertEqual(report["viewers"]["peak_active"], VIEWERS)
        self.assertLess(max(gaps), 2 + 1.5)  # one target duration plus slack, never + 2.5 s DNS
        self.assertEqual(report["rebuffer_events"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
