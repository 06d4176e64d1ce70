"""The metrics-cost benchmark compares like with like: the order of its runs, the runs it
throws away, and the gunicorn config of its "with" side (benchmarks/metrics_cost.py)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import metrics_cost, wrk
from benchmarks.metrics_cost import alternate, measured_run, metrics_overrides
from benchmarks.servers import bare_conf
from project.deploy.gunicorn import METRICS_ENV


def recorder(calls: list, side: str, results: list):
    def measure():
        calls.append(side)
        return results.pop(0)

    return measure


def test_the_side_that_goes_first_flips_every_round():
    calls = []
    measure = {
        "with": recorder(calls, "with", [(1.0, 10.0)] * 4),
        "without": recorder(calls, "without", [(2.0, 20.0)] * 4),
    }
    runs, repeated = alternate(measure, rounds=4)
    assert calls == ["with", "without", "without", "with"] * 2
    assert runs == {"with": [(1.0, 10.0)] * 4, "without": [(2.0, 20.0)] * 4}
    assert repeated == 0


def test_a_run_in_which_a_worker_was_replaced_is_measured_again_and_not_counted():
    calls = []
    measure = {
        "with": recorder(calls, "with", [None, (1.0, 10.0), (1.5, 15.0)]),
        "without": recorder(calls, "without", [(2.0, 20.0), None, None, (2.5, 25.0)]),
    }
    runs, repeated = alternate(measure, rounds=2)
    assert calls == ["with", "with", "without", "without", "without", "without", "with"]
    assert runs == {"with": [(1.0, 10.0), (1.5, 15.0)], "without": [(2.0, 20.0), (2.5, 25.0)]}
    assert repeated == 3


def test_a_side_gives_up_a_round_after_its_tries():
    measure = {"with": lambda: None, "without": lambda: (2.0, 20.0)}
    runs, repeated = alternate(measure, rounds=1, attempts=3)
    assert runs == {"with": [], "without": [(2.0, 20.0)]}
    assert repeated == 3


def conf_values(text: str) -> dict:
    """The settings a rendered gunicorn config leaves, as gunicorn reads them (exec)."""
    namespace: dict = {}
    exec(compile(text, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace


BUNDLE_CONF = """\
raw_env = ['PROMETHEUS_MULTIPROC_DIR=/srv/site/var/run/metrics']
METRICS_DIR = '/srv/site/var/run/metrics'
workers = 5
max_requests = 10000


def child_exit(server, worker):
    return METRICS_DIR
"""


def test_the_with_side_counts_and_marks_dead_workers_in_its_own_folder(tmp_path: Path):
    folder = tmp_path / "metrics"
    extra = metrics_overrides(folder)
    text = bare_conf(BUNDLE_CONF, tmp_path, 8123, "project.wsgi:app", "with-metrics", extra=extra)
    values = conf_values(text)
    assert values["raw_env"] == [f"{METRICS_ENV}={folder}"]
    # The hooks read the name when they run: they see the override, not the bundle's folder.
    assert values["child_exit"](None, None) == str(folder)
    assert values["workers"] == 5 and values["max_requests"] == 10000
    assert values["wsgi_app"] == "project.wsgi:app"


def test_a_reference_server_keeps_out_of_the_bundles_metrics(tmp_path: Path):
    values = conf_values(bare_conf(BUNDLE_CONF, tmp_path, 8124, "benchmarks.bare_app:app", "bare"))
    assert values["raw_env"] == []
    assert values["workers"] == 5


class FakeServer:
    url = "http://127.0.0.1:1"

    def master_pid(self) -> int:
        return 1


def fake_load(monkeypatch, children: list[list[int]], cpu: list[dict]):
    class Result:
        requests, rps = 1000, 100.0

    monkeypatch.setattr(wrk, "run", lambda url, seconds, connections, request=None: Result())
    monkeypatch.setattr(metrics_cost.processes, "children", lambda pid: children.pop(0))
    monkeypatch.setattr(metrics_cost, "cpu_seconds", lambda pids: cpu.pop(0))


class Options:
    warmup, duration, connections = 0, 10, 16


def test_a_run_counts_the_cpu_of_the_workers_it_started_with(monkeypatch):
    fake_load(monkeypatch, [[11, 12], [11, 12]], [{11: 1.0, 12: 2.0}, {11: 1.5, 12: 2.5}])
    assert measured_run(FakeServer(), Options()) == (100.0, 1000.0)  # 1 s / 1000 requests


def test_a_run_in_which_a_worker_was_replaced_gives_no_number(monkeypatch):
    # Worker 12 exited (max_requests) and 13 took its place: 12's CPU left /proc with it.
    fake_load(monkeypatch, [[11, 12], [11, 13]], [{11: 1.0, 12: 2.0}, {11: 1.5}])
    assert measured_run(FakeServer(), Options()) is None
