"""The otto_c Python module (core/python, docs/python.md): every method of
both backend kinds over the real json plugin and real files, an error path
for each status a caller can meet, and a 100,000-host timing against the
same work done with Python's json module alone (printed, never asserted).

Standard library only (unittest). CTest runs it with PYTHONPATH at the
build tree's python/ folder and OTTO_C_NO_UPSTREAM=1 (the plain records);
run by hand: PYTHONPATH=build/python python3 -m unittest -v tests/python/test_otto_c.py
"""

import gc
import json
import os
import re
import shutil
import tempfile
import time
import unittest
import warnings
from datetime import datetime, timezone

import otto_c
from otto_c import _lib

FIXTURES = os.environ.get(
    "OTTO_FIXTURES_DIR", os.path.join(os.path.dirname(__file__), "..", "fixtures")
)
UPSTREAM = [os.path.join(FIXTURES, "upstream-lab-data", d) for d in ("tech1", "tech2")]
TEST_PLUGINS = os.environ.get("OTTO_TEST_PLUGIN_DIR")


def host(element, labs, **more):
    h = {"ip": "10.0.0.1", "creds": [{"login": "u"}], "element": element, "labs": labs}
    h.update(more)
    return h


class Folder(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="otto-c-py-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(data if isinstance(data, str) else json.dumps(data))
        return path


class LabRepositoryTest(Folder):
    def test_list_labs_sorted_over_upstream_fixtures(self):
        with otto_c.open_lab_repository("json", paths=UPSTREAM) as repo:
            self.assertEqual(repo.list_labs(), ["busybox", "embedded", "fruits", "veggies"])

    def test_load_lab_records_hosts_links(self):
        with otto_c.open_lab_repository("json", paths=UPSTREAM) as repo:
            lab = repo.load_lab("veggies")
            self.assertEqual(lab.name, "veggies")
            self.assertEqual(lab.resources, {"carrot", "tomato", "pepper"})
            self.assertEqual(sorted(lab.hosts), ["carrot_seed", "pepper_seed", "tomato_seed"])
            carrot = lab.hosts["carrot_seed"]
            self.assertEqual((carrot.element, carrot.board, carrot.ip), ("carrot", "seed", "10.10.200.11"))
            self.assertEqual(carrot.labs, ["veggies", "busybox"])
            self.assertTrue(carrot.docker_capable)
            self.assertEqual(carrot.creds[0], {"login": "vagrant", "password": "vagrant"})
            self.assertEqual(carrot.extra["interfaces"]["eth2"]["ip"], "192.168.1.11")
            # upstream's rule: every link with one endpoint in the lab
            ends = [(l.a.host, l.a.interface, l.b.host, l.b.interface, l.protocol) for l in lab.links]
            self.assertEqual(
                ends,
                [
                    ("carrot_seed", "eth2", "tomato_seed", "eth2", "udp"),
                    ("carrot_seed", "bbeth-1350", "bb1350_qemu", "eth0", "tcp"),
                ],
            )
            again = repo.load_lab("veggies")
            self.assertIsNot(again, lab, "a fresh lab on every call")
            self.assertEqual(again.hosts.keys(), lab.hosts.keys())

    def test_load_lab_preferences_accepted(self):
        with otto_c.open_lab_repository("json", paths=UPSTREAM) as repo:
            self.assertEqual(sorted(repo.load_lab("fruits", {"unix": {}}).hosts), ["apple_seed", "grape_seed", "orange_seed"])

    def test_summaries_merged_by_id_and_sorted(self):
        # the same id in two files: one summary, labs unioned (upstream's merge)
        a = self.write("a/lab.json", {"hosts": [host("sw", ["x"]), host("b", ["x"])]})
        b = self.write("b/lab.json", {"hosts": [host("sw", ["y"], ip="10.0.0.2")]})
        with otto_c.open_lab_repository("json", paths=[a, b]) as repo:
            s = repo.list_host_summaries()
            self.assertEqual([h.id for h in s], ["b", "sw"])
            self.assertEqual(s[1].labs, ["x", "y"])
            self.assertEqual(s[1].ip, "10.0.0.1", "the first record's fields")
            self.assertIsNone(s[1].element_id)

    def test_relative_paths_resolve_against_repo_dir(self):
        self.write("lab_data/lab.json", {"hosts": [host("sw", ["x"])]})
        with otto_c.open_lab_repository("json", repo_dir=self.dir, paths=["lab_data"]) as repo:
            self.assertEqual(repo.list_labs(), ["x"])

    def test_broken_file_is_skipped_by_listings_with_a_warning(self):
        good = self.write("good/lab.json", {"hosts": [host("sw", ["x"])]})
        bad = self.write("bad/lab.json", '{"hosts": [')
        with otto_c.open_lab_repository("json", paths=[good, bad]) as repo:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.assertEqual(repo.list_labs(), ["x"])
            self.assertTrue(any(bad in str(w.message) for w in caught), [str(w.message) for w in caught])
            # loading reads every file: upstream fails it too
            with self.assertRaises(otto_c.LabRepositoryError):
                repo.load_lab("x")

    def test_factory_for_register_lab_repository(self):
        cls = otto_c.lab_repository("json")
        self.assertEqual(cls.__name__, "otto_c_lab_json")
        repo = cls(repo_dir=FIXTURES, paths=["upstream-lab-data/tech2"])
        try:
            self.assertEqual(repo.list_labs(), ["fruits"])
        finally:
            repo.close()
        repo.close()  # idempotent


class LabErrorsTest(Folder):
    """One error path per status (status and status_name say which)."""

    def assertStatus(self, cm, status, name, pattern):
        self.assertEqual(cm.exception.status, status)
        self.assertEqual(cm.exception.status_name, name)
        self.assertRegex(str(cm.exception), pattern)

    def test_not_found(self):
        with otto_c.open_lab_repository("json", paths=UPSTREAM) as repo:
            with self.assertRaises(otto_c.LabNotFoundError) as cm:
                repo.load_lab("orchard")
        self.assertStatus(cm, _lib.OTTO_ENOTFOUND, "ENOTFOUND", "no lab 'orchard'")

    def test_error_names_file_and_line(self):
        path = self.write("lab.json", {"hosts": [host("!!!", ["x"])]})
        with otto_c.open_lab_repository("json", paths=[path]) as repo:
            with self.assertRaises(otto_c.LabRepositoryError) as cm:
                repo.load_lab("x")
        self.assertStatus(cm, _lib.OTTO_ERROR, "ERROR", re.escape(path) + r":1: hosts\[0\]")

    def test_invalid_settings(self):
        with self.assertRaises(otto_c.LabRepositoryError) as cm:
            otto_c.open_lab_repository("json", pathz=["x"])
        self.assertStatus(cm, _lib.OTTO_EINVALID, "EINVALID", "unknown key 'pathz'")

    def test_closed_backend(self):
        repo = otto_c.open_lab_repository("json", paths=UPSTREAM)
        repo.close()
        with self.assertRaises(otto_c.LabRepositoryError) as cm:
            repo.list_labs()
        self.assertStatus(cm, _lib.OTTO_EINVALID, "EINVALID", "was closed")

    def test_no_such_backend(self):
        with self.assertRaises(otto_c.LabRepositoryError) as cm:
            otto_c.open_lab_repository("no-such-backend")
        self.assertStatus(cm, _lib.OTTO_ENOBACKEND, "ENOBACKEND", "no-such-backend")

    @unittest.skipUnless(TEST_PLUGINS, "OTTO_TEST_PLUGIN_DIR is not set")
    def test_plugin_that_crashes(self):
        # the backend runs in otto-worker: Python survives, the call fails
        crash_dir = os.path.join(TEST_PLUGINS, "cli_crash")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with otto_c.open_lab_repository("crashy", plugin_dirs=[crash_dir], crash_in="list_labs") as repo:
                with self.assertRaises(otto_c.LabRepositoryError) as cm:
                    repo.list_labs()
        self.assertStatus(cm, _lib.OTTO_ERROR, "ERROR", r"crashed with SIGSEGV during list_labs")
        # closing a backend whose worker died says so, as a Python warning
        self.assertTrue(any("crashed" in str(w.message) for w in caught))

    def test_setting_type_refused(self):
        with self.assertRaisesRegex(TypeError, "setting 'paths' of backend 'json': dict values"):
            otto_c.open_lab_repository("json", paths={"a": 1})


RESERVATIONS = {
    "version": 1,
    "reservations": [
        {"user": "alice", "resources": ["carrot", "shared"], "expires": "2099-01-01T00:00:00.5Z"},
        {"user": "bob", "resources": ["shared"]},
        {"user": "carol", "resources": ["old"], "expires": 5},
    ],
}


class ReservationBackendTest(Folder):
    def open(self, data=RESERVATIONS):
        self.write(".otto/reservations.json", data)
        return otto_c.open_reservation_backend("json", repo_dir=self.dir, path=".otto/reservations.json")

    def test_every_method(self):
        with self.open() as res:
            self.assertEqual(res.backend_name(), "json")
            self.assertEqual(res.get_reserved_resources("alice"), {"carrot", "shared"})
            self.assertEqual(res.get_reserved_resources("carol"), set(), "expired (a Unix time)")
            self.assertEqual(res.get_reserved_resources("nobody"), set())
            self.assertEqual(res.who_reserved("shared"), ["alice", "bob"])
            self.assertEqual(res.who_reserved("free"), [])
            self.assertEqual(res.list_usernames(), ["alice", "bob", "carol"])
            w = res.get_reservation_windows("alice")
            self.assertEqual([x.resource for x in w], ["carrot", "shared"])
            self.assertEqual(w[0].start, datetime.fromtimestamp(0, tz=timezone.utc))
            # .5 s rounded up to the next second
            self.assertEqual(w[0].end, datetime(2099, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
            self.assertEqual(res.get_reservation_windows("bob")[0].end.year, 9999, "no expiry: open end")

    def test_factory_for_register_reservation_backend(self):
        self.write("r.json", RESERVATIONS)
        cls = otto_c.reservation_backend("json")
        res = cls(url=None, repo_dir=self.dir, path="r.json")
        try:
            self.assertEqual(res.who_reserved("carrot"), ["alice"])
        finally:
            res.close()

    def test_fails_closed_with_file_and_line(self):
        with self.open('{"version": 1,\n "reservations": [{"user": "a",, }]}') as res:
            with self.assertRaises(otto_c.ReservationBackendError) as cm:
                res.get_reserved_resources("a")
            self.assertEqual(cm.exception.status, _lib.OTTO_ERROR)
            self.assertIn("reservations.json:2:", str(cm.exception))
            with self.assertRaises(otto_c.ReservationBackendError):
                res.who_reserved("r")

    def test_missing_path_setting(self):
        with self.assertRaises(otto_c.ReservationBackendError) as cm:
            otto_c.open_reservation_backend("json", repo_dir=self.dir)
        self.assertEqual(cm.exception.status, _lib.OTTO_EINVALID)
        self.assertIn("needs 'path'", str(cm.exception))

    def test_none_backend(self):
        with otto_c.open_reservation_backend("none") as res:
            self.assertEqual(res.backend_name(), "none")
            self.assertEqual(res.get_reserved_resources("alice"), set())
            self.assertEqual(res.get_reservation_windows("alice"), [])


def make_lab(path, n):
    labs = [f"lab{i}" for i in range(100)]
    hosts = [
        {
            "ip": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
            "element": f"dut-{i}",
            "element_id": i % 7,
            "creds": [{"login": "root", "password": "pw"}],
            "resources": [f"res{i}"],
            "labs": [labs[i % 100], labs[(i * 7) % 100]],
        }
        for i in range(n)
    ]
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"hosts": hosts}, f)


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def python_alone(path):
    """The same work with the json module alone: read the file, compute each
    host's id, one summary per id with its labs, sorted by id."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    by_id = {}
    for h in data["hosts"]:
        hid = slug(h["element"]) + (str(int(h["element_id"])) if h.get("element_id") is not None else "")
        if h.get("board"):
            hid += "_" + slug(h["board"]) + (str(int(h["slot"])) if h.get("slot") is not None else "")
        s = by_id.get(hid)
        if s is None:
            by_id[hid] = {"id": hid, "labs": list(dict.fromkeys(h["labs"])), "ip": h.get("ip") or ""}
        else:
            s["labs"] = sorted(set(s["labs"]) | set(h["labs"]))
    return [by_id[k] for k in sorted(by_id)]


@unittest.skipUnless(os.environ.get("OTTO_C_PY_BENCH", "1") == "1", "OTTO_C_PY_BENCH=0")
class HundredThousandHostsTest(Folder):
    def test_summaries_against_python_json(self):
        path = os.path.join(self.dir, "lab.json")
        make_lab(path, 100_000)
        gc.collect()
        t0 = time.perf_counter()
        with otto_c.open_lab_repository("json", paths=[path]) as repo:
            got = repo.list_host_summaries()
        t1 = time.perf_counter()
        want = python_alone(path)
        t2 = time.perf_counter()
        self.assertEqual(len(got), 100_000)
        self.assertEqual([s.id for s in got], [s["id"] for s in want])
        self.assertEqual(got[12345].labs, want[12345]["labs"])
        c, py = t1 - t0, t2 - t1
        print(f"\n100,000 hosts, summaries: otto_c {c:.3f} s, json module alone {py:.3f} s, ratio {py / c:.1f}x")


if __name__ == "__main__":
    unittest.main()
