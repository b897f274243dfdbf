# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""The OCI images, built without a Docker daemon (scripts/build-image.sh: debootstrap + buildah),
loaded from their docker-archive tarballs into podman (runc, cgroupfs, host network) and into a
Docker daemon this test starts itself (Debian's docker.io, --bridge=none --iptables=false).

In both: the test origin image serves a live stream; an env-configured and a CLI-configured
hls-swarm container reach their target viewers (read on their metrics ports), every process
in them runs as uid 10001, and `stop` ends them with exit 0 after "shutdown complete".
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import harness
from harness import BIN, Proc, children_of, free_port, metric, pid_alive, scrape, wait_for

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
OUT = os.path.join(os.path.dirname(os.path.abspath(BIN)), "oci")
UID = 10001
ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]


def run(argv, timeout=300, check=True, env=None):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} -> {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


def unmount_under(path):
    """Unmounts whatever a container runtime left mounted below path (deepest first)."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for mp in sorted((m for m in points if m.startswith(path + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], capture_output=True)


def http_ok(url):
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def uids_of(pid):
    """{pid: real uid} of pid and its descendants."""
    out = {}
    for p in [pid] + children_of(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        out[p] = int(line.split()[1])
        except OSError:
            pass
    return out


class ImageChecks:
    """The same checks for each runtime; subclasses set self.cli (argv prefix) in setUpClass."""

    cli = None
    name = ""

    tools = ((), "")

    @classmethod
    def setUpClass(cls):
        """Skips without the runtime's tools; builds the archives; starts the runtime in a
        private directory and loads both images into it."""
        image_prerequisites()
        needed, where = cls.tools
        for tool in needed:
            if not harness.have(tool):
                raise unittest.SkipTest(f"needs {tool} ({where}, make setup)")
        build_images()
        cls.dir = tempfile.mkdtemp(prefix=f"hls-swarm-{cls.name}-")
        try:
            cls.start_runtime()
            cls.load_images()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_runtime()
        unmount_under(cls.dir)
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def load_images(cls):
        for image in ("hls-swarm", "hls-swarm-origin"):
            run(cls.cli + ["load", "-i", os.path.join(OUT, f"{image}.tar")], timeout=600)

    def container(self, argv, label):
        name = f"hlsswarm-{self.name}-{label}-{os.getpid()}"
        run(self.cli + ["run", "-d", "--name", name, "--network", "host"] + ULIMITS + argv)
        self.addCleanup(run, self.cli + ["rm", "-f", name], 60, False)
        return name

    def inspect(self, name, fmt):
        return run(self.cli + ["inspect", "--format", fmt, name]).stdout.strip()

    def stop_and_check(self, name):
        started = time.monotonic()
        run(self.cli + ["stop", "-t", "20", name], timeout=60)
        took = time.monotonic() - started
        logs = run(self.cli + ["logs", name])
        text = logs.stdout + logs.stderr
        self.assertIn("Verifying FFmpeg", text)
        self.assertIn("ffmpeg version 5", text)
        self.assertIn("shutdown complete", text, text[-3000:])
        self.assertEqual(self.inspect(name, "{{.State.ExitCode}}"), "0", text[-2000:])
        self.assertLess(took, 15, f"stop took {took:.1f} s")
        return took

    def running_as_non_root(self, name):
        pid = int(self.inspect(name, "{{.State.Pid}}"))
        uids = wait_for(lambda: (lambda u: u if len(u) >= 3 else None)(uids_of(pid)), 10)
        self.assertTrue(uids, f"no processes under container pid {pid}")
        self.assertEqual(set(uids.values()), {UID}, uids)

    def reach(self, port, target, timeout=60):
        url = f"http://127.0.0.1:{port}/metrics"
        got = wait_for(lambda: metric(scrape(url), "hlsswarm_clients_active") == target, timeout, 0.5)
        self.assertTrue(got, f"active viewers on :{port}: {metric(scrape(url), 'hlsswarm_clients_active')} "
                             f"(want {target})")

    def test_image(self):
        # The image's own configuration.
        cfg = json.loads(run(self.cli + ["image", "inspect", "hls-swarm:latest"]).stdout)[0]
        config = cfg.get("Config") or cfg.get("config")
        self.assertEqual(config["User"], f"{UID}:{UID}")
        self.assertIn("9090/tcp", config["ExposedPorts"])
        self.assertIn("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", config["Env"])
        self.assertEqual(config["Labels"]["org.opencontainers.image.title"], "hls-swarm")
        self.assertEqual(config["Entrypoint"][0], "/usr/bin/tini")
        probe = run(self.cli + ["run", "--rm", "--network", "host"] + ULIMITS + [
                                "--entrypoint", "/bin/sh", "hls-swarm:latest", "-c",
                                'stat -c %a /tmp; id -u; test -s "$SSL_CERT_FILE" && echo certs; '
                                "hls-swarm -version | head -n 1"])
        self.assertEqual(probe.stdout.split(), ["1777", str(UID), "certs", "hls-swarm", "0.1.0"])

        # The test origin, from its own image.
        origin_port = free_port()
        origin = self.container(["-e", "PROFILE=tiny", "hls-swarm-origin:latest", "-port", str(origin_port)],
                                "origin")
        stream = f"http://127.0.0.1:{origin_port}/stream.m3u8"
        self.assertTrue(wait_for(lambda: http_ok(stream), 60, 0.5), "origin container never served the stream")

        # Env mode: everything from variables the entrypoint and the binary read.
        env_port = free_port()
        env_mode = self.container(
            ["-e", f"STREAM_URL={stream}", "-e", "CLIENTS=3", "-e", "RAMP_RATE=10",
             "-e", f"METRICS_PORT={env_port}", "-e", "LOG_LEVEL=info", "-e", "VARIANT=all",
             "-e", "PROFILE=gentle", "-e", "EXTRA_ARGS=-user-agent 'hls-swarm-env' -ramp-jitter 0",
             "hls-swarm:latest"], "env")
        # CLI mode: plain arguments after the image name, locked down as the Kubernetes
        # manifests run it (read-only root, /tmp the only writable place, no capabilities).
        cli_port = free_port()
        cli_mode = self.container(
            ["--read-only", "--tmpfs", "/tmp:rw,mode=1777", "--cap-drop", "ALL",
             "--security-opt", "no-new-privileges", "hls-swarm:latest", "-clients", "2", "-ramp-rate", "10", "-metrics-port", str(cli_port), stream],
            "cli")
        self.reach(env_port, 3)
        self.reach(cli_port, 2)
        self.running_as_non_root(env_mode)
        self.running_as_non_root(cli_mode)
        self.running_as_non_root(origin)
        env_logs = run(self.cli + ["logs", env_mode])
        self.assertIn("Profile:     gentle", env_logs.stdout)

        took = [self.stop_and_check(env_mode), self.stop_and_check(cli_mode)]
        print(f"\n{self.name}: env and CLI containers reached 3 and 2 viewers; stop took "
              f"{took[0]:.1f} s and {took[1]:.1f} s", flush=True)
        run(self.cli + ["stop", "-t", "15", origin], timeout=60)


class EntrypointScript(unittest.TestCase):
    """deploy/oci/entrypoint.sh on the host (no container): how PROFILE and SHARD_* become flags."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hls-swarm-entry-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        os.symlink(os.path.abspath(BIN), os.path.join(self.dir, "hls-swarm"))
        if not harness.have("ffmpeg"):
            self.skipTest("needs ffmpeg")

    def entry(self, env, *args):
        full = {"PATH": f"{self.dir}:{os.environ['PATH']}", **env}
        return subprocess.run(["sh", os.path.join(REPO, "deploy/oci/entrypoint.sh"), *args],
                              capture_output=True, text=True, env=full, timeout=30)

    def config(self, env, *args):
        p = self.entry(env, "-print-config", "-json", *args, "http://origin:8080/stream.m3u8")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout[p.stdout.index("{"):])

    def test_shard_from_statefulset_host_name(self):
        cfg = self.config({"SHARD_COUNT": "3", "SHARD_INDEX": "", "HOSTNAME": "hls-swarm-2", "CLIENTS": "10"})
        self.assertEqual((cfg["run"]["shard"]["index"], cfg["run"]["shard"]["count"]), (2, 3))

    def test_shard_index_variable_wins_and_arguments_win_over_both(self):
        cfg = self.config({"SHARD_COUNT": "3", "SHARD_INDEX": "1", "HOSTNAME": "hls-swarm-2"})
        self.assertEqual(cfg["run"]["shard"]["index"], 1)
        cfg = self.config({"SHARD_COUNT": "3", "SHARD_INDEX": "1"}, "-shard", "0/2")
        self.assertEqual((cfg["run"]["shard"]["index"], cfg["run"]["shard"]["count"]), (0, 2))

    def test_no_ordinal_is_a_clear_error(self):
        p = self.entry({"SHARD_COUNT": "3", "HOSTNAME": "swarm"}, "http://origin:8080/stream.m3u8")
        self.assertEqual(p.returncode, 2)
        self.assertIn("set SHARD_INDEX", p.stderr)

    def test_profile_variable_and_argument(self):
        self.assertEqual(self.config({"PROFILE": "stress"})["_profile"]["name"], "stress")
        self.assertEqual(self.config({"PROFILE": "stress"}, "-profile", "gentle")["_profile"]["name"], "gentle")
        self.assertEqual(self.config({})["_profile"]["name"], "default")

    def test_banner_and_subcommands(self):
        p = self.entry({"STREAM_URL": "http://origin:8080/stream.m3u8"}, "-print-config")
        self.assertIn("Verifying FFmpeg", p.stdout)
        self.assertIn("ffmpeg version", p.stdout)
        p = self.entry({}, "origin", "-help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("Usage: hls-swarm origin"), p.stdout[:200])


class ComposeRun:
    """deploy/compose/docker-compose.yml brought up for real: origin, swarm and Prometheus (from
    Debian's package, tests/data/oci/Containerfile.prometheus, since prom/prometheus needs a
    registry), which must see the swarm's viewers and load the alert rules."""

    def test_compose_up(self):
        if not harness.have("docker-compose"):
            self.skipTest("needs docker-compose (make setup)")
        run(self.cli + ["load", "-i", build_prometheus_image()], timeout=600)
        metrics_port, origin_port, prom_port = free_port(), free_port(), free_port()
        env = {**os.environ, "DOCKER_HOST": self.cli[-1], "CLIENTS": "4", "RAMP_RATE": "10",
               "ORIGIN_PROFILE": "tiny", "ORIGIN_PORT": str(origin_port),
               "METRICS_PORT_HOST": str(metrics_port), "PROMETHEUS_PORT": str(prom_port),
               "PROMETHEUS_IMAGE": "localhost/prometheus-debian:test"}
        project = f"hlsswarm{os.getpid()}"
        compose = ["docker-compose", "-p", project, "-f", os.path.join(REPO, "deploy/compose/docker-compose.yml")]
        self.addCleanup(run, compose + ["down", "-t", "5"], 120, False, env)
        started = time.monotonic()
        run(compose + ["up", "-d"], 180, True, env)
        self.reach(metrics_port, 4, 90)
        took = time.monotonic() - started

        def query(q):
            url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
            try:
                result = json.load(urllib.request.urlopen(url, timeout=3))["data"]["result"]
                return float(result[0]["value"][1]) if result else None
            except (OSError, ValueError, KeyError, IndexError):
                return None

        seen = wait_for(lambda: query("sum(hlsswarm_clients_active)") == 4, 60, 1)
        self.assertTrue(seen, f"Prometheus in compose saw {query('sum(hlsswarm_clients_active)')} viewers")
        rules = json.load(urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/api/v1/rules", timeout=3))
        names = {r["name"] for g in rules["data"]["groups"] for r in g["rules"]}
        self.assertGreaterEqual(len(names), 4, names)

        run(compose + ["stop", "-t", "20"], 60, True, env)
        swarm = run(compose + ["ps", "-q", "swarm"], 30, True, env).stdout.strip()
        logs = run(self.cli + ["logs", swarm])
        self.assertIn("shutdown complete", logs.stdout + logs.stderr)
        self.assertEqual(self.inspect(swarm, "{{.State.ExitCode}}"), "0")
        print(f"\ncompose: origin healthy and 4 viewers active {took:.1f} s after `up`; Prometheus "
              f"summed 4 and loaded {len(names)} alert rules", flush=True)


def build_prometheus_image():
    """localhost/prometheus-debian:test as a docker-archive, in build-image.sh's store."""
    tar = os.path.join(OUT, "prometheus-debian.tar")
    containerfile = os.path.join(REPO, "tests/data/oci/Containerfile.prometheus")
    if os.path.exists(tar) and os.path.getmtime(tar) > os.path.getmtime(containerfile):
        return tar
    bh = ["buildah", "--storage-driver", "vfs", "--root", f"{OUT}/storage", "--runroot", f"{OUT}/run"]
    run(bh + ["bud", "--isolation", "chroot", "--network", "host", "--pull=never", "--layers=false", "-q",
              "-f", containerfile, "-t", "localhost/prometheus-debian:test", os.path.dirname(containerfile)],
        timeout=600)
    if os.path.exists(tar):
        os.unlink(tar)
    run(bh + ["push", "-q", "localhost/prometheus-debian:test", f"docker-archive:{tar}:prometheus-debian:test"])
    return tar


def image_prerequisites():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (debootstrap, buildah, container runtimes)")
    for tool in ("buildah", "debootstrap"):
        if not harness.have(tool):
            raise unittest.SkipTest(f"needs {tool} (make setup)")
    # vfs stores copy every layer: the build store, the archives, podman's and dockerd's stores.
    harness.require_free_disk(OUT, 10, "building and loading the images")


def build_images():
    """Builds the archives once per build directory (scripts/build-image.sh reuses its rootfs)."""
    inputs = [BIN, os.path.join(REPO, "scripts/build-image.sh")] + [
        os.path.join(REPO, "deploy/oci", f) for f in ("Containerfile", "Containerfile.origin", "entrypoint.sh")]
    newest_input = max(os.path.getmtime(f) for f in inputs)
    if all(os.path.exists(os.path.join(OUT, f"{i}.tar")) and
           os.path.getmtime(os.path.join(OUT, f"{i}.tar")) > newest_input
           for i in ("hls-swarm", "hls-swarm-origin")):
        return
    started = time.monotonic()
    p = subprocess.run([os.path.join(REPO, "scripts/build-image.sh"), "--binary", BIN, "--out", OUT],
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        raise AssertionError(f"build-image.sh failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    print(f"\nimages built in {time.monotonic() - started:.0f} s:\n{p.stdout}", flush=True)


class PodmanImage(ImageChecks, unittest.TestCase):
    name = "podman"
    tools = (("podman", "runc"), "Debian's podman")

    @classmethod
    def start_runtime(cls):
        # A private store and the runtime settings this machine needs (SPEC §10).
        cls.cli = ["podman", "--root", f"{cls.dir}/root", "--runroot", f"{cls.dir}/run",
                   "--storage-driver", "vfs", "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                   "--events-backend", "file", "--tmpdir", f"{cls.dir}/tmp"]

    @classmethod
    def stop_runtime(cls):
        subprocess.run(cls.cli + ["rm", "-a", "-f"], capture_output=True, timeout=120)


class DockerImage(ImageChecks, ComposeRun, unittest.TestCase):
    name = "docker"
    tools = (("dockerd", "containerd"), "Debian's docker.io")
    daemon = None

    @classmethod
    def start_runtime(cls):
        sock = f"{cls.dir}/docker.sock"
        # Debian's client speaks the daemon's API version; another `docker` on PATH may not.
        client = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else "docker"
        cls.cli = [client, "-H", f"unix://{sock}"]  # ComposeRun takes DOCKER_HOST from the end
        cls.daemon = Proc(["dockerd", "--data-root", f"{cls.dir}/data", "--exec-root", f"{cls.dir}/exec",
                           "--pidfile", f"{cls.dir}/dockerd.pid", "-H", f"unix://{sock}",
                           "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                           "--storage-driver", "vfs", "--log-level", "warn"], cls.dir, "dockerd")
        up = wait_for(lambda: subprocess.run(cls.cli + ["info"], capture_output=True).returncode == 0
                      or not pid_alive(cls.daemon.pid), 60, 0.5)
        if not up or not pid_alive(cls.daemon.pid):
            raise AssertionError(f"dockerd did not start:\n{cls.daemon.stderr()[-3000:]}")

    @classmethod
    def stop_runtime(cls):
        if cls.daemon is None:
            return
        ids = subprocess.run(cls.cli + ["ps", "-aq"], capture_output=True, text=True).stdout.split()
        subprocess.run(cls.cli + ["rm", "-f"] + ids, capture_output=True, timeout=120)
        kids = children_of(cls.daemon.pid)
        cls.daemon.stop(timeout=30)
        for pid in kids:  # containerd and shims, if the daemon left any
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    unittest.main(verbosity=2)
