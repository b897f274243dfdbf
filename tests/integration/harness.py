# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Shared pieces of the integration tests: network namespaces, processes stopped by PID,
the bundled origin, metrics scraping and the origin's access log.

Every process a test starts is tracked here and stopped by its PID; namespaces and temporary
directories are removed at the end, whatever happened.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from collections import defaultdict

BIN = os.environ.get("HLS_SWARM_BIN", os.path.join(os.path.dirname(__file__), "../../build/hls-swarm"))


# What deploy/oci/entrypoint.sh and the binary read from the environment (hls-swarm -help).
ENTRYPOINT_VARS = {"STREAM_URL", "CLIENTS", "RAMP_RATE", "METRICS_PORT", "LOG_LEVEL", "VARIANT",
                   "EXTRA_ARGS", "PROFILE", "SHARD_COUNT", "SHARD_INDEX", "STAGES", "THRESHOLDS",
                   "STREAMS", "WEIGHTS", "ENGINE_MIX"}


def have(cmd):
    return shutil.which(cmd) is not None


def skip_unless_root_netns(test):
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root for network namespaces")
    if not have("ip"):
        raise unittest.SkipTest("needs iproute2 (ip)")
    for tool in ("ffmpeg", "nginx", "curl"):
        if not have(tool) and not os.path.exists("/usr/sbin/" + tool):
            raise unittest.SkipTest(f"needs {tool}")


def sysctl_entries(path):
    """(key, value, optional) for every assignment in a sysctl.d file: values with their
    whitespace collapsed, optional when the line starts with '-' (skipped if absent)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            k, v = (s.strip() for s in line.split("=", 1))
            out.append((k.lstrip("-"), " ".join(v.split()), k.startswith("-")))
    return out


def require_free_disk(path, gib, what):
    """Skips the test (visibly) when the file system of path has less than gib GiB free."""
    while not os.path.exists(path):
        path = os.path.dirname(path)
    free = shutil.disk_usage(path).free / 2**30
    if free < gib:
        raise unittest.SkipTest(f"{what} needs about {gib} GiB free disk under {path}; {free:.1f} GiB free")


def wait_for(pred, timeout, interval=0.2):
    """Polls pred() until it is truthy or timeout seconds pass; returns its last value."""
    end = time.monotonic() + timeout
    value = pred()
    while not value and time.monotonic() < end:
        time.sleep(interval)
        value = pred()
    return value


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children_of(pid):
    """PIDs of all descendants of pid (from /proc), deepest last."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in parents.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def proc_comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class Proc:
    """A started process with its output in files; stop() ends it by PID."""

    def __init__(self, argv, workdir, name, env=None):
        self.name = name
        self.out_path = os.path.join(workdir, f"{name}.out")
        self.err_path = os.path.join(workdir, f"{name}.err")
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.p = subprocess.Popen(argv, stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)
        self.pid = self.p.pid

    def stdout(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait(self, timeout):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def signal(self, sig):
        if self.p.poll() is None:
            os.kill(self.pid, sig)

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL the process and every descendant still alive (by PID)."""
        if self.p.poll() is None:
            kids = children_of(self.pid)
            os.kill(self.pid, signal.SIGTERM)
            if self.wait(timeout) is None:
                for pid in [self.pid] + kids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.wait(5)
        self._out.close()
        self._err.close()


class NetnsPair:
    """Two network namespaces joined by a veth pair: 'origin' (.1) and 'client' (.2).
    Addresses live only inside these namespaces, which the test creates and removes."""

    def __init__(self, tag):
        self.tag = tag
        subnet = 200 + (os.getpid() % 50)
        self.origin_ns = f"hs-{tag}-o-{os.getpid()}"
        self.client_ns = f"hs-{tag}-c-{os.getpid()}"
        self.origin_ip = f"10.213.{subnet}.1"
        self.client_ip = f"10.213.{subnet}.2"
        self.veth_o = f"hso{os.getpid() % 100000}"
        self.veth_c = f"hsc{os.getpid() % 100000}"

    def __enter__(self):
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)
        run("ip", "netns", "add", self.origin_ns)
        run("ip", "netns", "add", self.client_ns)
        for ns in (self.origin_ns, self.client_ns):
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "link", "add", self.veth_o, "netns", self.origin_ns, "type", "veth", "peer", "name",
            self.veth_c, "netns", self.client_ns)
        run("ip", "-n", self.origin_ns, "addr", "add", f"{self.origin_ip}/24", "dev", self.veth_o)
        run("ip", "-n", self.client_ns, "addr", "add", f"{self.client_ip}/24", "dev", self.veth_c)
        run("ip", "-n", self.origin_ns, "link", "set", self.veth_o, "up")
        run("ip", "-n", self.client_ns, "link", "set", self.veth_c, "up")
        return self

    def __exit__(self, *exc):
        for ns in (self.client_ns, self.origin_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def in_origin(self, argv):
        return ["ip", "netns", "exec", self.origin_ns] + argv

    def in_client(self, argv):
        return ["ip", "netns", "exec", self.client_ns] + argv

    def curl(self, ns, url, timeout=5):
        r = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "--max-time", str(timeout), url],
                           capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else None


class Workdir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="hls-swarm-it-")
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("HS_KEEP_WORKDIR"):
            print("kept", self.path)
            return
        shutil.rmtree(self.path, ignore_errors=True)


def start_origin(workdir, profile="tiny", addr="127.0.0.1", port=None, wrap=lambda a: a):
    """Starts `hls-swarm origin` and waits until it says ready. Returns (Proc, origin dir).
    The port is explicit: integration tests run two at a time, so one on host loopback takes
    free_port() and one in its own namespace may use a fixed port there."""
    if port is None:
        raise ValueError("start_origin needs a port: free_port() on loopback")
    odir = os.path.join(workdir, "origin")
    os.makedirs(odir, exist_ok=True)
    argv = wrap([BIN, "origin", "-profile", profile, "-addr", addr, "-port", str(port), "-dir", odir])
    proc = Proc(argv, workdir, "origin")
    ok = wait_for(lambda: "ready" in proc.stdout() or proc.p.poll() is not None, 60)
    if not ok or proc.p.poll() is not None:
        err = proc.stderr()
        proc.stop()
        raise AssertionError(f"origin did not start: {err[-2000:]}")
    return proc, odir


def cpu_seconds(pid):
    """User + system CPU seconds pid has used so far (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    """A loopback TCP port nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrape(url, timeout=2):
    """Parsed metrics of url, or {} when it does not answer."""
    try:
        return parse_metrics(urllib.request.urlopen(url, timeout=timeout).read().decode())
    except OSError:
        return {}


def parse_metrics(text):
    """{'name{labels}': value} from Prometheus text format."""
    out = {}
    for line in (text or "").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        try:
            out[key] = float(value)
        except ValueError:
            pass
    return out


def metric(metrics, name):
    """Sum of every series of a metric name."""
    total = 0.0
    for k, v in metrics.items():
        if k == name or k.startswith(name + "{"):
            total += v
    return total


ACCESS_RE = re.compile(r'^(\S+) (\d+) (\d+) (\S+) "([^"]*)" (\S+) (\d+) (\d+) (\d+)$')


def read_access_log(path):
    """Rows of the origin's access log: dicts with msec, status, bytes, rtime, ua, uri, conn
    (nginx's $connection serial number) and n ($connection_requests: its place on the
    connection)."""
    rows = []
    with open(path, errors="replace") as f:
        for line in f:
            m = ACCESS_RE.match(line.strip())
            if m:
                rows.append({"msec": float(m[1]), "status": int(m[2]), "bytes": int(m[3]),
                             "rtime": float(m[4]), "ua": m[5], "uri": m[6], "conn": int(m[7]),
                             "n": int(m[8])})
    return rows


def in_request_order(rows):
    """rows (of one client) in the order the requests were made: by start time ($msec minus
    $request_time, each to the millisecond, so two requests that start within a millisecond can
    swap), then each connection's own rows put back in their exact $connection_requests order
    within the places that connection's rows took."""
    rows = sorted(rows, key=lambda r: r["msec"] - r["rtime"])
    places = defaultdict(list)
    for i, r in enumerate(rows):
        places[r["conn"]].append(i)
    out = list(rows)
    for idx in places.values():
        for i, r in zip(idx, sorted((rows[i] for i in idx), key=lambda r: r["n"])):
            out[i] = r
    return out


def is_segment(uri):
    path = uri.split("?")[0]
    return not (path.endswith(".m3u8") or path in ("/health", "/nginx_status"))


def stop_origin_nginx(odir, timeout=5):
    """Stops the nginx of an origin started by start_origin (by the PID in its pid file), as an
    outage would; the origin's supervisor keeps running. Returns True once nginx has exited."""
    with open(os.path.join(odir, "nginx.pid")) as f:
        nginx_pid = int(f.read().strip())
    os.kill(nginx_pid, signal.SIGTERM)
    return wait_for(lambda: not pid_alive(nginx_pid), timeout)


def restart_origin_nginx(workdir, odir, wrap=lambda a: a):
    """Starts the origin's nginx again with its own configuration (after stop_origin_nginx), its
    error log in error2.log. Returns the Proc; the caller stops it by PID."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    argv = [nginx, "-p", odir, "-c", os.path.join(odir, "nginx.conf"), "-e",
            os.path.join(odir, "error2.log")]
    return Proc(wrap(argv), workdir, "nginx2")


def start_extra_nginx(workdir, odir, name, listen, wrap=lambda a: a):
    """A second nginx serving the origin's directory (same config and log format) with its
    listen line replaced by \a listen (e.g. "10.0.0.3:8080" or "10.0.0.1:8443 ssl ...;").
    Returns (Proc, its access log path). The caller stops it by PID."""
    xdir = os.path.join(workdir, name)
    os.makedirs(os.path.join(xdir, "tmp"), exist_ok=True)
    with open(os.path.join(odir, "nginx.conf")) as f:
        conf = f.read()
    for leaf in ("nginx.pid", "error.log", "access.log", "tmp"):
        conf = conf.replace(os.path.join(odir, leaf), os.path.join(xdir, leaf))
    conf, n = re.subn(r"listen \S+ backlog=4096;", f"listen {listen};", conf)
    assert n == 1, "origin nginx.conf has no listen line to rewrite"
    path = os.path.join(xdir, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = Proc(wrap([nginx, "-p", xdir, "-c", path]), workdir, name)
    # nginx writes its pid file once its listening sockets are open: until then a client that
    # starts at once would be refused.
    pid_file = os.path.join(xdir, "nginx.pid")
    if not wait_for(lambda: os.path.exists(pid_file) or proc.p.poll() is not None, 15, 0.05) \
            or proc.p.poll() is not None:
        err = proc.stderr()
        proc.stop()
        raise AssertionError(f"{name} did not start: {err[-2000:]}")
    return proc, os.path.join(xdir, "access.log")


def make_certificates(workdir, ip):
    """A CA and a leaf certificate for \a ip (subjectAltName IP), made with the openssl CLI in
    \a workdir. Returns (CA certificate, leaf certificate, leaf key) paths."""
    ca_key, ca_crt = os.path.join(workdir, "ca.key"), os.path.join(workdir, "ca.crt")
    key, csr, crt = (os.path.join(workdir, n) for n in ("leaf.key", "leaf.csr", "leaf.crt"))
    ext = os.path.join(workdir, "leaf.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName=IP:{ip}\nbasicConstraints=CA:FALSE\n")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca_crt, "-days", "2", "-subj",
        "/CN=hls-swarm test CA")
    run("openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", f"/CN={ip}")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)
    return ca_crt, crt, key


def start_tls_nginx(workdir, odir, ip, port, wrap=lambda a: a, name="nginx-tls"):
    """The origin's directory served over https by a second nginx (start_extra_nginx) on
    ip:port, with a certificate for ip signed by a CA made for the test (make_certificates).
    Returns (Proc, its access log path, the CA certificate's path); the caller stops the Proc."""
    certs = os.path.join(workdir, name + "-certs")
    os.makedirs(certs, exist_ok=True)
    ca, crt, key = make_certificates(certs, ip)
    proc, log = start_extra_nginx(
        workdir, odir, name,
        f"{ip}:{port} ssl backlog=4096;\n    ssl_certificate {crt};\n    ssl_certificate_key {key}",
        wrap)
    return proc, log, ca


class StaticOriginTest(unittest.TestCase):
    """A test class whose media files nginx serves: setUpClass makes a work directory, calls
    make_media() to write the files under self.wd/www, creates a NetnsPair and starts nginx (own
    configuration, in the origin namespace) on origin_ip:PORT, its access log in the harness's
    format at self.wd/access.log (read_access_log). self.base is the origin's http URL.

    Subclasses set NETNS_TAG, MIME_TYPES (extension: type), READY_PATH (a file that answers
    once nginx serves) and may give EXTRA_LOGS (nginx lines with {wd} in them)."""
    NETNS_TAG = "st"
    PORT = 8080
    MIME_TYPES = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t"}
    READY_PATH = "/"
    EXTRA_LOGS = ()

    @classmethod
    def make_media(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        skip_unless_root_netns(cls)
        cls._wd = Workdir()
        cls.wd = cls._wd.__enter__()
        try:
            os.makedirs(os.path.join(cls.wd, "www"), exist_ok=True)
            cls.make_media()
            cls._net = NetnsPair(cls.NETNS_TAG)
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
    def nginx_conf(cls):
        wd = cls.wd
        types = "".join(f"        {t} {ext};\n" for ext, t in cls.MIME_TYPES.items())
        logs = "".join(f"    {line.format(wd=wd)}\n" for line in cls.EXTRA_LOGS)
        fmt = ("'$msec $status $body_bytes_sent $request_time \"$http_user_agent\" "
               "$request_uri $connection $connection_requests $bytes_sent'")
        temps = "".join(f"    {k}_temp_path {wd}/tmp/{k};\n"
                        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return (f"daemon off;\nworker_processes 1;\npid {wd}/nginx.pid;\n"
                f"error_log {wd}/error.log;\nevents {{ worker_connections 1024; }}\nhttp {{\n"
                f"    types {{\n{types}    }}\n    default_type application/octet-stream;\n"
                f"{temps}    log_format it {fmt};\n    access_log {wd}/access.log it;\n{logs}"
                f"    server {{\n        listen {cls.net.origin_ip}:{cls.PORT};\n"
                f"        root {wd}/www;\n    }}\n}}\n")

    @classmethod
    def start_nginx(cls):
        os.makedirs(os.path.join(cls.wd, "tmp"))
        os.chmod(cls.wd, 0o755)  # nginx's workers do not run as root
        conf = os.path.join(cls.wd, "nginx.conf")
        with open(conf, "w") as f:
            f.write(cls.nginx_conf())
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        argv = [nginx, "-p", cls.wd, "-e", os.path.join(cls.wd, "error.log"), "-c", conf]
        cls.nginx = Proc(cls.net.in_origin(argv), cls.wd, "nginx")
        cls.base = f"http://{cls.net.origin_ip}:{cls.PORT}"
        try:
            up = wait_for(lambda: cls.net.curl(cls.net.client_ns, cls.base + cls.READY_PATH)
                          is not None or cls.nginx.p.poll() is not None, 20)
            if not up or cls.nginx.p.poll() is not None:
                raise AssertionError(f"nginx did not start: {cls.nginx.stderr()[-2000:]}")
        except BaseException:
            cls.nginx.stop()
            raise

    @classmethod
    def access_rows(cls, since, name="access.log"):
        """Rows of an access log of this origin (read_access_log) from byte offset since on."""
        path = os.path.join(cls.wd, name)
        part = f"{path}.{since}"
        with open(path, "rb") as f, open(part, "wb") as out:
            f.seek(since)
            out.write(f.read())
        return read_access_log(part)
