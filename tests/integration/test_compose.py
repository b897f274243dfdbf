# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 4, Docker Compose: deploy/compose/docker-compose.yml passes `docker-compose config`, the
swarm gets only variables its entrypoint reads and hls-swarm accepts them, its limits fit the load,
its STREAM_URL is the path the bundled origin really serves, and the Prometheus config with the
alert rules mounted where the file says passes `promtool check config`.
Needs no container engine."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import BIN, ENTRYPOINT_VARS, Proc, have, wait_for

try:
    import yaml
except ImportError:  # python3-yaml
    yaml = None

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
COMPOSE_DIR = os.path.join(ROOT, "deploy/compose")
COMPOSE = os.path.join(COMPOSE_DIR, "docker-compose.yml")
ORIGIN_VARS = {"PROFILE"}
# Variables the compose file interpolates; unset so that its defaults are what is tested.
INTERPOLATED = ("CLIENTS", "RAMP_RATE", "EXTRA_ARGS", "ORIGIN_PROFILE", "STREAM_URL", "STAGES",
                "THRESHOLDS", "STREAMS", "WEIGHTS")
MAX_NOFILE = 20000  # hard RLIMIT_NOFILE of the hosts this must run on


def run(cmd, timeout=60, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def compose_env():
    return {k: v for k, v in os.environ.items()
            if k not in INTERPOLATED and not k.startswith("COMPOSE_")}


def byte_size(text):
    m = re.fullmatch(r"(\d+)([kmg]?)b?", str(text).lower())
    if not m:
        raise AssertionError(f"size {text!r}")
    return int(m.group(1)) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[m.group(2)]


def volume_map(service):
    """{path in the container: path on the host} of a service's bind mounts."""
    out = {}
    for v in service.get("volumes", []):
        host, target = v.split(":")[:2]
        out[target] = host
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if yaml is None:
            raise unittest.SkipTest("needs PyYAML (Debian package python3-yaml)")
        if shutil.which("docker-compose") is None:
            raise unittest.SkipTest("docker-compose not installed (Debian package docker-compose)")
        r = run(["docker-compose", "-f", COMPOSE, "config"], env=compose_env(), cwd=COMPOSE_DIR)
        if r.returncode != 0:
            raise AssertionError(f"docker-compose config failed:\n{r.stderr}")
        cls.config = yaml.safe_load(r.stdout)
        cls.services = cls.config["services"]

    def swarm_env(self):
        return {k: str(v) for k, v in self.services["swarm"]["environment"].items()}

    def test_config_quiet(self):
        r = run(["docker-compose", "-f", COMPOSE, "config", "-q"], env=compose_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("WARNING", r.stderr)

    def test_services(self):
        s = self.services
        self.assertEqual(set(s), {"origin", "swarm", "prometheus"})
        self.assertEqual(s["origin"]["image"], "hls-swarm-origin:latest")
        self.assertEqual(s["swarm"]["image"], "hls-swarm:latest")
        self.assertTrue(s["prometheus"]["image"].startswith("prom/prometheus"))
        self.assertEqual(s["swarm"]["depends_on"]["origin"]["condition"], "service_healthy")
        health = s["origin"]["healthcheck"]["test"]
        self.assertEqual(health[0], "CMD-SHELL")
        self.assertIn("curl -fs -o /dev/null http://localhost:8080/stream.m3u8", health[1])
        self.assertEqual(s["swarm"]["stop_grace_period"], "15s")

    def test_environment_is_read(self):
        self.assertEqual(set(self.swarm_env()) - ENTRYPOINT_VARS, set())
        self.assertEqual(set(self.services["origin"].get("environment", {})) - ORIGIN_VARS, set())

    def test_swarm_env_valid_and_limits_fit(self):
        env = self.swarm_env()
        r = run([BIN, "-print-config", "-json"], env={"PATH": os.environ["PATH"], **env})
        self.assertEqual(r.returncode, 0, r.stderr)
        cfg = json.loads(r.stdout)
        self.assertEqual(cfg["run"]["streamUrl"], env["STREAM_URL"])
        self.assertEqual(cfg["clients"], int(env["CLIENTS"]))
        self.assertEqual(cfg["rampRate"], int(env["RAMP_RATE"]))
        self.assertEqual(cfg["metricsPort"], 9090)
        swarm = self.services["swarm"]
        self.assertIn(f"127.0.0.1:{cfg['metricsPort']}:{cfg['metricsPort']}/tcp", swarm["ports"])
        nofile = swarm["ulimits"]["nofile"]
        self.assertEqual(nofile["soft"], nofile["hard"])
        self.assertLessEqual(nofile["hard"], MAX_NOFILE)
        self.assertGreaterEqual(nofile["soft"], cfg["derived"]["recommendedFdLimit"])
        memory = byte_size(swarm["deploy"]["resources"]["limits"]["memory"])
        self.assertGreater(memory, cfg["derived"]["estimatedMemoryMB"] * 2**20)

    def test_stages_thresholds_streams_from_the_environment(self):
        env = self.swarm_env()
        for key in ("STAGES", "THRESHOLDS", "STREAMS", "WEIGHTS"):
            self.assertEqual(env.get(key), "", key)
        given = {"STAGES": "10s:20,30s:20,5s:0", "THRESHOLDS": "errors_rate<1%;startup_p90<3s",
                 "STREAMS": "http://origin:8080/stream.m3u8;http://origin:8080/stream.m3u8?b=1",
                 "WEIGHTS": "3,1"}
        r = run(["docker-compose", "-f", COMPOSE, "config"], env={**compose_env(), **given},
                cwd=COMPOSE_DIR)
        self.assertEqual(r.returncode, 0, r.stderr)
        swarm = {k: str(v) for k, v in yaml.safe_load(r.stdout)["services"]["swarm"]
                 ["environment"].items()}
        for key, value in given.items():
            self.assertEqual(swarm[key], value)
        r = run([BIN, "-print-config", "-json"], env={"PATH": os.environ["PATH"], **swarm})
        self.assertEqual(r.returncode, 0, r.stderr)
        cfg = json.loads(r.stdout)
        self.assertEqual([s["target"] for s in cfg["run"]["stages"]], [20, 20, 0])
        self.assertEqual(cfg["run"]["thresholds"], ["errors_rate<1%", "startup_p90<3s"])
        self.assertEqual([(s["weight"], s["viewers"]) for s in cfg["run"]["streams"]],
                         [(3, 15), (1, 5)])

    def test_stream_url_is_what_the_origin_serves(self):
        url = urllib.parse.urlsplit(self.swarm_env()["STREAM_URL"])
        self.assertEqual(url.hostname, "origin")
        health = self.services["origin"]["healthcheck"]["test"][-1].split()[4]
        self.assertEqual(url.port, urllib.parse.urlsplit(health).port)
        self.assertIn(f"127.0.0.1:{url.port}:{url.port}/tcp", self.services["origin"]["ports"])
        if not (have("ffmpeg") and (have("nginx") or os.path.exists("/usr/sbin/nginx"))):
            self.skipTest("needs ffmpeg and nginx to start the bundled origin")
        profile = self.services["origin"]["environment"]["PROFILE"]
        with tempfile.TemporaryDirectory(prefix="hls-swarm-compose-") as tmp:
            origin = Proc([BIN, "origin", "-profile", profile, "-port", str(free_port()),
                           "-dir", os.path.join(tmp, "origin")], tmp, "origin")
            try:
                printed = wait_for(lambda: re.search(r"stream:\s+(\S+)", origin.stdout()), 20)
            finally:
                origin.signal(signal.SIGINT)
                origin.stop()
            self.assertTrue(printed, origin.stdout() + origin.stderr())
            self.assertEqual(urllib.parse.urlsplit(printed.group(1)).path, url.path)

    def test_prometheus_config_and_mounted_rules(self):
        if shutil.which("promtool") is None:
            self.skipTest("needs promtool (Debian package prometheus)")
        mounts = volume_map(self.services["prometheus"])
        config = mounts["/etc/prometheus/prometheus.yml"]  # the image's default --config.file
        with open(config) as f:
            prom = yaml.safe_load(f)
        targets = [t for job in prom["scrape_configs"] for sc in job["static_configs"]
                   for t in sc["targets"]]
        self.assertEqual(targets, [f"swarm:{self.swarm_env()['METRICS_PORT']}"])
        rules = prom["rule_files"]
        self.assertTrue(rules)
        for path in rules:
            self.assertIn(path, mounts, f"rule file {path} is not mounted")
            self.assertTrue(os.path.isfile(mounts[path]), mounts[path])
        # promtool reads the rules where the host has them: the same file, paths mapped.
        prom["rule_files"] = [mounts[p] for p in rules]
        with tempfile.TemporaryDirectory(prefix="hls-swarm-compose-") as tmp:
            path = os.path.join(tmp, "prometheus.yml")
            with open(path, "w") as f:
                yaml.safe_dump(prom, f)
            r = run(["promtool", "check", "config", path])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # Every alert of the mounted rule files is loaded (the count from the files themselves).
        alerts = 0
        for p in rules:
            with open(mounts[p]) as f:
                alerts += sum(len(g.get("rules", [])) for g in yaml.safe_load(f)["groups"])
        self.assertGreater(alerts, 0)
        self.assertIn(f"{alerts} rules found", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
