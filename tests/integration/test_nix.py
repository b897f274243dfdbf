# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""Issue 4, Nix: every .nix file parses; config.nix equals the binary's -print-config -json for
every profile; the NixOS module, evaluated against a stub of lib/pkgs, yields an ExecStart whose
flags hls-swarm accepts. There is no nixpkgs here, so nothing is built."""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, sysctl_entries

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
CONFIG_NIX = os.path.join(ROOT, "nix/swarm-client/config.nix")
STUB_NIX = os.path.join(ROOT, "tests/data/nix/module-stub.nix")
PROFILES = ["default", "stress", "gentle", "burst", "extreme"]
URL = "http://127.0.0.1:8080/stream.m3u8"
# Environment variables hls-swarm reads; cleared so only flags decide what it prints.
BIN_ENV = {k: v for k, v in os.environ.items()
           if k not in ("STREAM_URL", "CLIENTS", "RAMP_RATE", "METRICS_PORT", "LOG_LEVEL", "VARIANT",
                        "EXTRA_ARGS")}


class NixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hls-swarm-nix-")
        cls.env = dict(os.environ)
        cls.env.update({
            "NIX_CONFIG": "build-users-group =\nsubstituters =\nexperimental-features =\n",
            "NIX_STATE_DIR": os.path.join(cls.tmp, "state"),
            "NIX_LOG_DIR": os.path.join(cls.tmp, "log"),
            "HOME": os.path.join(cls.tmp, "home"),
            "XDG_CACHE_HOME": os.path.join(cls.tmp, "cache"),
        })
        for d in ("state", "log", "home", "cache"):
            os.makedirs(os.path.join(cls.tmp, d), exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        if shutil.which("nix-instantiate") is None:
            self.skipTest("nix-instantiate not installed (apt-get install nix-bin)")

    def nix(self, *args):
        r = subprocess.run(["nix-instantiate", *args], env=self.env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, f"nix-instantiate {' '.join(args)}:\n{r.stderr}")
        return r.stdout

    def eval_json(self, path, **argstr):
        args = ["--eval", "--strict", "--json", path]
        for k, v in argstr.items():
            args += ["--argstr", k, v]
        return json.loads(self.nix(*args))

    def binary_config(self, *flags):
        r = subprocess.run([BIN, *flags, "-print-config", "-json"], capture_output=True, text=True,
                           env=BIN_ENV, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_every_nix_file_parses(self):
        files = [os.path.join(ROOT, "flake.nix")] + sorted(
            glob.glob(os.path.join(ROOT, "nix/**/*.nix"), recursive=True)) + sorted(
            glob.glob(os.path.join(ROOT, "tests/data/nix/*.nix")))
        names = {os.path.basename(f) for f in files}
        for want in ("default.nix", "config.nix", "sysctl.nix", "container.nix", "microvm.nix",
                     "nixos-module.nix", "runner.nix"):
            self.assertIn(want, names)
        for f in files:
            with self.subTest(file=os.path.relpath(f, ROOT)):
                self.nix("--parse", f)

    def test_config_nix_equals_binary_for_every_profile(self):
        for p in PROFILES:
            with self.subTest(profile=p):
                nixcfg = self.eval_json(CONFIG_NIX, profile=p)
                bincfg = self.binary_config("-profile", p)
                bincfg.pop("run", None)
                self.assertEqual(nixcfg, bincfg)
                self.assertEqual(nixcfg["_profile"]["name"], p)
                self.assertEqual(sorted(nixcfg["_profile"]["availableProfiles"]), sorted(PROFILES))
                c = nixcfg["clients"]
                self.assertEqual(nixcfg["derived"], {
                    "rampDuration": c // nixcfg["rampRate"],
                    "estimatedMemoryMB": c * 19 + 64,
                    "recommendedFdLimit": c * 15 + 1000,
                    "recommendedPorts": c * 5,
                })

    def test_config_overrides_recompute_derived(self):
        r = self.nix("--eval", "--strict", "--json", "--expr",
                     f'import {CONFIG_NIX} {{ profile = "stress"; overrides = {{ clients = 300; }}; }}')
        nixcfg = json.loads(r)
        bincfg = self.binary_config("-profile", "stress", "-clients", "300")
        bincfg.pop("run", None)
        self.assertEqual(nixcfg, bincfg)

    def test_unknown_profile_throws(self):
        r = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", CONFIG_NIX,
                            "--argstr", "profile", "nope"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Unknown profile: nope", r.stderr)

    def test_module_execstart_flags_are_accepted(self):
        for p in PROFILES:
            with self.subTest(profile=p):
                out = self.eval_json(STUB_NIX, profile=p)
                sc = out["serviceConfig"]
                expect = self.eval_json(CONFIG_NIX, profile=p)
                self.assertEqual(sc["LimitNOFILE"], expect["derived"]["recommendedFdLimit"])
                self.assertEqual(sc["Restart"], "on-failure")
                self.assertEqual(sc["EnvironmentFile"], "-/etc/default/hls-swarm")
                for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "DynamicUser"):
                    self.assertIs(sc[key], True, key)
                self.assertEqual(sc["ProtectSystem"], "strict")
                self.assertEqual(out["wantedBy"], ["multi-user.target"])
                self.assertEqual(out["firewallPorts"], [expect["metricsPort"]])

                exec_start = sc["ExecStart"]
                self.assertIn("${STREAM_URL}", exec_start)
                argv = shlex.split(exec_start.replace("${STREAM_URL}", URL))
                self.assertEqual(argv[0], out["swarmBinary"] + "/bin/hls-swarm")
                self.assertEqual(argv[-1], URL)
                self.assertIn("-tui=false", argv)
                argv[0] = BIN
                r = subprocess.run(argv + ["-print-config", "-json"], capture_output=True,
                                   text=True, env=BIN_ENV, timeout=30)
                self.assertEqual(r.returncode, 0, f"{argv}\n{r.stderr}")
                got = json.loads(r.stdout)
                self.assertEqual(got["run"]["streamUrl"], URL)
                got.pop("run")
                self.assertEqual(got, expect, "the service runs exactly the profile's settings")
                # Plain -print-config (text) also exits 0.
                r = subprocess.run(argv + ["-print-config"], capture_output=True, text=True,
                                   env=BIN_ENV, timeout=30)
                self.assertEqual(r.returncode, 0, r.stderr)

    def test_module_unit_verifies_and_is_hardened(self):
        """The unit the NixOS module generates, rendered as a unit file: verify is clean and the
        systemd-analyze security exposure is 4.0 or better."""
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze not installed")
        out = self.eval_json(STUB_NIX, profile="stress")

        def render(v):
            if isinstance(v, bool):
                return "yes" if v else "no"
            if isinstance(v, list):
                return " ".join(render(x) for x in v)
            return str(v)

        lines = ["[Unit]", f"Description={out['description']}", "", "[Service]"]
        for k, v in sorted(out["serviceConfig"].items()):
            v = render(v)
            if k == "ExecStart":
                v = v.replace(out["swarmBinary"] + "/bin/hls-swarm", os.path.abspath(BIN))
            lines.append(f"{k}={v}")
        lines += ["", "[Install]", "WantedBy=" + " ".join(out["wantedBy"]), ""]
        with tempfile.TemporaryDirectory() as d:
            unit = os.path.join(d, "hls-swarm.service")
            with open(unit, "w") as f:
                f.write("\n".join(lines))
            r = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual((r.returncode, r.stderr.strip()), (0, ""), r.stderr)
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit],
                               capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for hls-swarm\.service:\s*([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), 4.0)
        print(f"\nNixOS module unit exposure: {m.group(1)}")

    def test_sysctl_nix_matches_sysctl_d_file(self):
        out = self.eval_json(STUB_NIX, profile="default")
        nix_keys = {k: str(v) for k, v in out["sysctl"].items()}
        # Optional ('-') keys: net.ipv6.tcp_* (not in Linux) are not in sysctl.nix; keys only
        # newer kernels have are.
        conf = {k: v for k, v, optional in sysctl_entries(os.path.join(ROOT, "deploy/sysctl/99-hls-swarm.conf"))
                if not optional or k in nix_keys}
        self.assertEqual(nix_keys, conf)


if __name__ == "__main__":
    unittest.main(verbosity=2)
