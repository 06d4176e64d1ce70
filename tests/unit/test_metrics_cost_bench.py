"""The metrics-cost benchmark compares like with like: the gunicorn config of its sides
(benchmarks/metrics_cost.py; how they are measured: test_side_by_side_bench.py)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.metrics_cost import metrics_overrides
from benchmarks.servers import bare_conf
from benchmarks.side_by_side import NO_RECYCLING
from project.deploy.gunicorn import METRICS_ENV


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
    extra = {**metrics_overrides(folder), **NO_RECYCLING}
    text = bare_conf(BUNDLE_CONF, tmp_path, 8123, "project.wsgi:app", "with-metrics", extra=extra)
    values = conf_values(text)
    assert values["raw_env"] == [f"{METRICS_ENV}={folder}"]
    # The hooks read the name when they run: they see the override, not the bundle's folder.
    assert values["child_exit"](None, None) == str(folder)
    # Same workers as the bundle; no recycling, which would take CPU time out of the count.
    assert values["workers"] == 5 and values["max_requests"] == 0
    assert values["wsgi_app"] == "project.wsgi:app"


def test_a_reference_server_keeps_out_of_the_bundles_metrics(tmp_path: Path):
    values = conf_values(bare_conf(BUNDLE_CONF, tmp_path, 8124, "benchmarks.bare_app:app", "bare"))
    assert values["raw_env"] == []
    assert values["workers"] == 5
