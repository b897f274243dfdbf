# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 4, Kubernetes: deploy/kubernetes renders with kustomize (base, origin, the plain
Deployment and every overlay), every object passes the Kubernetes JSON schemas (kubernetes-models,
through tests/kubernetes/validate.mjs, which must also reject broken objects), and the sharding
adds up: replicas == SHARD_COUNT, and the command line the entrypoint builds for each shard is
accepted by hls-swarm, with viewer id ranges that neither overlap nor leave gaps.

Without kubectl only the rendering is skipped; the plain resource files are still checked. Without
npm, or without the npm registry, only the schema validation is skipped."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, ENTRYPOINT_VARS

try:
    import yaml
except ImportError:  # python3-yaml
    yaml = None

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
K8S = os.path.join(ROOT, "deploy/kubernetes")
VALIDATOR = os.path.join(ROOT, "tests/kubernetes")
OVERLAYS = ("default", "stress", "gentle")
KUSTOMIZATIONS = ("base", "origin", "deployment") + tuple("overlays/" + o for o in OVERLAYS)
PODMONITOR = os.path.join(K8S, "monitoring/podmonitor.yaml")
POD_INDEX_LABEL = "metadata.labels['apps.kubernetes.io/pod-index']"
NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT",
                  "ENETUNREACH", "EHOSTUNREACH", "network request", "request to")


def setUpModule():
    if yaml is None:
        raise unittest.SkipTest("needs PyYAML (Debian package python3-yaml)")


def run(cmd, timeout=60, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


_rendered = {}


def render(rel):
    """Objects of `kubectl kustomize deploy/kubernetes/REL` (cached)."""
    if rel not in _rendered:
        r = run(["kubectl", "kustomize", os.path.join(K8S, rel)])
        if r.returncode != 0:
            raise AssertionError(f"kubectl kustomize {rel} failed:\n{r.stderr}")
        _rendered[rel] = [d for d in yaml.safe_load_all(r.stdout) if d]
    return _rendered[rel]


def plain_files(rel):
    """The files a kustomization lists under resources (directories are left out)."""
    d = os.path.join(K8S, rel)
    with open(os.path.join(d, "kustomization.yaml")) as f:
        resources = yaml.safe_load(f).get("resources", [])
    return [os.path.join(d, r) for r in resources if os.path.isfile(os.path.join(d, r))]


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def one(objs, kind):
    found = [o for o in objs if o["kind"] == kind]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind}, found {len(found)}")
    return found[0]


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def container(workload, name="swarm"):
    return next(c for c in pod_spec(workload)["containers"] if c["name"] == name)


def expand(value, env):
    """Kubelet's $(VAR) expansion: $$ is a literal $, unknown references stay as written."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", sub, value)


def container_env(objs, workload, pod_index):
    """The environment the kubelet gives the swarm container of pod number pod_index."""
    configmaps = {o["metadata"]["name"]: o.get("data", {})
                  for o in objs if o["kind"] == "ConfigMap"}
    c = container(workload)
    env = {}
    for src in c.get("envFrom", []):
        env.update(configmaps[src["configMapRef"]["name"]])
    for var in c.get("env", []):
        if "value" in var:
            env[var["name"]] = expand(var["value"], env)
        elif var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == POD_INDEX_LABEL:
            env[var["name"]] = str(pod_index)
        else:
            raise AssertionError(f"no emulation for {var}")
    return env


def mebibytes(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    if not m:
        raise AssertionError(f"memory {quantity!r}: write it in Mi or Gi")
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


def print_config(env, pod_index):
    """hls-swarm -print-config -json as the entrypoint would start shard pod_index."""
    argv = [BIN, "-print-config", "-json"]
    count = int(env.get("SHARD_COUNT") or 1)
    if count > 1:
        argv += ["-shard", f"{env.get('SHARD_INDEX') or pod_index}/{count}"]
    r = run(argv, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                       **{k: v for k, v in env.items() if k in ENTRYPOINT_VARS}})
    if r.returncode != 0:
        raise AssertionError(f"{argv} with {env} exited {r.returncode}:\n{r.stderr}")
    return json.loads(r.stdout)


class RenderTest(unittest.TestCase):
    """Needs kubectl (kustomize); checks what gets applied."""

    @classmethod
    def setUpClass(cls):
        if shutil.which("kubectl") is None:
            raise unittest.SkipTest(
                "kubectl not installed: rendering skipped, plain files still checked")

    def test_every_kustomization_renders(self):
        for rel in KUSTOMIZATIONS:
            with self.subTest(rel):
                self.assertTrue(render(rel))

    def test_replicas_equal_shard_count(self):
        for rel in ("base",) + tuple("overlays/" + o for o in OVERLAYS):
            with self.subTest(rel):
                sts = one(render(rel), "StatefulSet")
                env = {e["name"]: e.get("value") for e in container(sts)["env"]}
                self.assertEqual(env["SHARD_COUNT"], str(sts["spec"]["replicas"]))
                self.assertEqual(sts["spec"]["podManagementPolicy"], "Parallel")

    def test_overlay_shards_cover_viewer_ids_once(self):
        for overlay in OVERLAYS:
            with self.subTest(overlay):
                objs = render("overlays/" + overlay)
                sts = one(objs, "StatefulSet")
                replicas = sts["spec"]["replicas"]
                ranges = []
                for index in range(replicas):
                    env = container_env(objs, sts, index)
                    cfg = print_config(env, index)
                    clients = int(env["CLIENTS"])
                    self.assertEqual(cfg["clients"], clients)
                    self.assertEqual(cfg["_profile"]["name"], env["PROFILE"])
                    self.assertEqual(cfg["run"]["streamUrl"], env["STREAM_URL"])
                    self.assertFalse(cfg["run"]["api"])
                    self.assertEqual(cfg["run"]["shard"]["index"], index)
                    self.assertEqual(cfg["run"]["shard"]["count"], replicas)
                    offset = cfg["run"]["shard"]["clientIdOffset"]
                    ranges.append(range(offset, offset + cfg["clients"]))
                ids = [i for r in ranges for i in r]
                self.assertEqual(len(ids), len(set(ids)), "viewer id ranges overlap")
                self.assertEqual(sorted(ids), list(range(replicas * int(env["CLIENTS"]))))

    def test_stages_thresholds_streams_through_the_configmap(self):
        """STAGES, THRESHOLDS and STREAMS (and WEIGHTS) are ConfigMap keys hls-swarm reads: empty
        by default (unset), and values set there reach the run."""
        objs = render("base")
        sts = one(objs, "StatefulSet")
        env = container_env(objs, sts, 0)
        for key in ("STAGES", "THRESHOLDS", "STREAMS", "WEIGHTS"):
            self.assertEqual(env.get(key), "", key)
        cfg = print_config(env, 0)
        self.assertEqual(cfg["run"]["stages"], [])
        self.assertEqual(len(cfg["run"]["streams"]), 1)
        env.update(STAGES="20s:10,1m:10,10s:0", THRESHOLDS="errors_rate<1%;startup_p90<3s",
                   STREAMS="http://hls-origin:8080/stream.m3u8 3;"
                           "http://hls-origin-b:8080/stream.m3u8?token=x 1")
        cfg = print_config(env, 0)
        self.assertEqual([s["target"] for s in cfg["run"]["stages"]], [10, 10, 0])
        self.assertEqual(cfg["run"]["thresholds"], ["errors_rate<1%", "startup_p90<3s"])
        self.assertEqual([(s["label"], s["weight"]) for s in cfg["run"]["streams"]],
                         [("0:hls-origin", 3), ("1:hls-origin-b", 1)])
        self.assertEqual(cfg["run"]["streams"][1]["url"],
                         "http://hls-origin-b:8080/stream.m3u8?token=REDACTED")

    def test_resources_fit_the_profile(self):
        for rel in ("base", "deployment") + tuple("overlays/" + o for o in OVERLAYS):
            with self.subTest(rel):
                objs = render(rel)
                workload = next(o for o in objs if o["kind"] in ("StatefulSet", "Deployment"))
                cfg = print_config(container_env(objs, workload, 0), 0)
                res = container(workload)["resources"]
                need = cfg["derived"]["estimatedMemoryMB"]
                self.assertGreaterEqual(mebibytes(res["requests"]["memory"]), need)
                self.assertGreater(mebibytes(res["limits"]["memory"]), need)

    def test_env_is_read_or_expanded(self):
        """Every container variable is read by the entrypoint or feeds a $(VAR) of another."""
        for rel in ("base", "deployment") + tuple("overlays/" + o for o in OVERLAYS):
            with self.subTest(rel):
                objs = render(rel)
                workload = next(o for o in objs if o["kind"] in ("StatefulSet", "Deployment"))
                env = container_env(objs, workload, 0)
                refs = set()
                for var in container(workload).get("env", []):
                    refs.update(re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", var.get("value", "")))
                self.assertEqual(set(env) - ENTRYPOINT_VARS - refs, set())
                self.assertNotIn("$(", env["EXTRA_ARGS"])

    def test_ports_and_origin_agree(self):
        origin = render("origin")
        svc = one(origin, "Service")
        origin_port = svc["spec"]["ports"][0]["port"]
        for rel in ("base", "deployment"):
            with self.subTest(rel):
                objs = render(rel)
                workload = next(o for o in objs if o["kind"] in ("StatefulSet", "Deployment"))
                env = container_env(objs, workload, 0)
                port = int(env["METRICS_PORT"])
                self.assertEqual(container(workload)["ports"],
                                 [{"name": "metrics", "containerPort": port}])
                notes = workload["spec"]["template"]["metadata"]["annotations"]
                self.assertEqual(notes["prometheus.io/port"], str(port))
                for s in (o for o in objs if o["kind"] == "Service"):
                    self.assertEqual(s["spec"]["ports"][0]["targetPort"], "metrics")
                self.assertEqual(env["STREAM_URL"],
                                 f"http://{svc['metadata']['name']}:{origin_port}/stream.m3u8")


class PlainFilesTest(unittest.TestCase):
    """No tools needed: the resource files as written."""

    def workloads(self):
        out = []
        for rel in ("base", "deployment", "origin"):
            for path in plain_files(rel):
                out += [o for o in load(path) if o["kind"] in ("StatefulSet", "Deployment")]
        return out

    def test_hardened_pods(self):
        for w in self.workloads():
            with self.subTest(w["metadata"]["name"]):
                spec = pod_spec(w)
                self.assertTrue(spec["securityContext"]["runAsNonRoot"])
                self.assertEqual(spec["securityContext"]["runAsUser"], 10001)
                self.assertLessEqual(spec["terminationGracePeriodSeconds"], 30)
                for c in spec["containers"]:
                    sc = c["securityContext"]
                    self.assertFalse(sc["allowPrivilegeEscalation"])
                    self.assertTrue(sc["readOnlyRootFilesystem"])
                    self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
                    self.assertIn("/tmp", [m["mountPath"] for m in c["volumeMounts"]])
                    self.assertIn("readinessProbe", c)
                    self.assertIn("limits", c["resources"])

    def test_statefulset_shape(self):
        sts = one([o for p in plain_files("base") for o in load(p)], "StatefulSet")
        self.assertEqual(sts["spec"]["podManagementPolicy"], "Parallel")
        env = {e["name"]: e for e in container(sts)["env"]}
        self.assertEqual(env["SHARD_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"], POD_INDEX_LABEL)
        self.assertIn("-profile $(PROFILE)", env["EXTRA_ARGS"]["value"])
        notes = sts["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(notes["prometheus.io/scrape"], "true")
        services = [o for p in plain_files("base") for o in load(p) if o["kind"] == "Service"]
        headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
        self.assertEqual([s["metadata"]["name"] for s in headless], [sts["spec"]["serviceName"]])

    def test_podmonitor_is_opt_in(self):
        for rel in KUSTOMIZATIONS:
            with open(os.path.join(K8S, rel, "kustomization.yaml")) as f:
                self.assertNotIn("podmonitor", f.read().lower(), rel)
        podmonitor = one(load(PODMONITOR), "PodMonitor")
        self.assertEqual(podmonitor["apiVersion"], "monitoring.coreos.com/v1")


class SchemaTest(unittest.TestCase):
    """Needs node and npm with the npm registry reachable: installs tests/kubernetes into a
    temporary directory (npm ci, its own cache) and removes it afterwards."""

    @classmethod
    def setUpClass(cls):
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise unittest.SkipTest(f"{tool} not installed: schema validation skipped")
        cls.tmp = tempfile.mkdtemp(prefix="hls-swarm-k8s-")
        try:
            cls.install()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def install(cls):
        for f in ("package.json", "package-lock.json", "validate.mjs"):
            shutil.copy(os.path.join(VALIDATOR, f), cls.tmp)
        cmd = ["npm", "ci", "--no-audit", "--no-fund", "--cache", os.path.join(cls.tmp, ".npm")]
        try:
            r = run(cmd, timeout=300, cwd=cls.tmp,
                    env={**os.environ, "npm_config_update_notifier": "false"})
        except subprocess.TimeoutExpired:
            raise unittest.SkipTest("npm ci took over 300 s: registry unreachable or too slow")
        if r.returncode != 0:
            if any(e in r.stdout + r.stderr for e in NETWORK_ERRORS):
                raise unittest.SkipTest("npm registry unreachable: schema validation skipped")
            raise AssertionError(f"npm ci failed:\n{r.stdout}{r.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def validate(self, *files, stdin=None):
        return run(["node", os.path.join(self.tmp, "validate.mjs"), *files], input=stdin)

    def assertValid(self, *files, stdin=None):
        r = self.validate(*files, stdin=stdin)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(" 0 problem(s)", r.stdout)

    def test_plain_files(self):
        files = [p for rel in ("base", "origin", "deployment") for p in plain_files(rel)]
        self.assertValid(*files, PODMONITOR)

    def test_rendered(self):
        if shutil.which("kubectl") is None:
            self.skipTest("kubectl not installed: nothing rendered to validate")
        for rel in KUSTOMIZATIONS:
            with self.subTest(rel):
                self.assertValid(stdin=yaml.safe_dump_all(render(rel)))

    def broken(self, mutate):
        objs = [o for p in plain_files("base") for o in load(p)]
        mutate(one(objs, "StatefulSet"))
        return self.validate(stdin=yaml.safe_dump_all(objs))

    def test_broken_objects_are_rejected(self):
        def replicas_text(sts):
            sts["spec"]["replicas"] = "three"

        def nameless_container(sts):
            del container(sts)["name"]

        def unknown_kind(sts):
            sts["kind"] = "StatefulSett"

        for mutate, expect in ((replicas_text, "replicas must be integer"),
                               (nameless_container, "must have required property name"),
                               (unknown_kind, "unknown kind StatefulSett")):
            with self.subTest(mutate.__name__):
                r = self.broken(mutate)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(expect, r.stderr)
        r = self.validate(stdin="a: [\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("YAML error", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
