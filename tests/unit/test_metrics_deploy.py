"""The metrics' deploy side: gunicorn hooks, start-time wipe, status traffic, shipped dashboards."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from project import metrics
from project.deploy import metrics_files
from project.deploy.gunicorn import HOOKS, METRICS_ENV, render_gunicorn_conf
from project.deploy.nginx import render_nginx_conf
from project.deploy.settings import DeploySettings

ROOT = Path(__file__).resolve().parents[2]
# gc and importlib load the shared libraries (project/deploy/shared_libraries.py checks that
# they import no app code).
ALLOWED_IN_MASTER = {
    "gc",
    "importlib",
    "json",
    "os",
    "sys",
    "prometheus_client",
    "prometheus_client.multiprocess",
}


@pytest.fixture
def settings(tmp_path):
    return DeploySettings(port=8123, workers=3, timeout=7, var_dir=str(tmp_path / "var"))


def conf_namespace(settings) -> dict:
    namespace: dict = {}
    exec(compile(render_gunicorn_conf(settings), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace


class FakeWorker:
    def __init__(self, pid: int, wsgi=None):
        self.pid = pid
        self.wsgi = wsgi


def test_gunicorn_conf_imports_nothing_of_the_app(settings):
    """The master executes this file: an app import there made reload serve old code."""
    tree = ast.parse(render_gunicorn_conf(settings))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= ALLOWED_IN_MASTER


def test_metrics_folder_reaches_workers_through_raw_env(settings):
    conf = conf_namespace(settings)
    assert conf["raw_env"] == [f"{METRICS_ENV}={settings.layout.metrics_dir}"]
    assert conf["METRICS_DIR"] == str(settings.layout.metrics_dir)
    assert conf["timeout"] == 7


def test_each_hook_is_one_function_holding_every_part(settings):
    text = render_gunicorn_conf(settings)
    for name in {hook.name for hook in HOOKS}:
        assert len(re.findall(rf"^def {name}\(", text, re.MULTILINE)) == 1, name
    post_worker_init = text.split("def post_worker_init(worker):")[1].split("\ndef ")[0]
    assert "READY_DIR" in post_worker_init and '_app_hooks(worker, "post_worker_init")' in text


def write_metric_files(folder: Path, pid_script: str) -> None:
    env = {**os.environ, METRICS_ENV: str(folder)}
    subprocess.run(
        [sys.executable, "-c", textwrap.dedent(pid_script)], env=env, cwd=ROOT, check=True
    )


def test_child_exit_drops_live_gauges_and_keeps_counters(settings):
    conf = conf_namespace(settings)
    folder = settings.layout.metrics_dir
    folder.mkdir(parents=True)
    (folder / "gauge_livesum_4242.db").write_bytes(b"")
    (folder / "counter_4242.db").write_bytes(b"")
    conf["child_exit"](None, FakeWorker(4242))
    assert sorted(path.name for path in folder.iterdir()) == ["counter_4242.db"]


def test_on_starting_forgets_live_gauges_of_dead_workers_only(settings):
    conf = conf_namespace(settings)
    folder = settings.layout.metrics_dir
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **OUT)
    alive = os.getpid()
    for pid in (int(dead.stdout), alive):
        (folder / f"gauge_livesum_{pid}.db").write_bytes(b"")
    conf["on_starting"](None)
    assert [path.name for path in folder.iterdir()] == [f"gauge_livesum_{alive}.db"]


OUT = {"capture_output": True, "text": True, "check": True}


def test_worker_hooks_reach_the_app_through_its_extensions(settings):
    conf = conf_namespace(settings)
    seen = []

    class App:
        extensions = {"gunicorn_hooks": {"worker_abort": [lambda worker: seen.append(worker.pid)]}}

    conf["_app_hooks"](FakeWorker(7, App()), "worker_abort")
    conf["_app_hooks"](FakeWorker(8, object()), "worker_abort")  # not our app: nothing to call
    assert seen == [7]


def test_nginx_example_never_passes_metrics_on(settings):
    text = render_nginx_conf(settings)
    assert re.search(r"location = /metrics \{\s*return 404;\s*\}", text)


COUNT = """
from project import metrics
metrics.HTTP_REQUESTS.labels("GET", "/", "200").inc({ok})
metrics.HTTP_REQUESTS.labels("GET", "/", "502").inc({bad})
"""


def test_start_wipes_the_metrics_folder(settings):
    folder = settings.layout.metrics_dir
    folder.mkdir(parents=True)
    write_metric_files(folder, COUNT.format(ok=5, bad=0))
    assert any(folder.iterdir())
    settings.layout.traffic_samples.write_text("[]")
    metrics_files.wipe(settings)
    assert folder.is_dir() and not any(folder.iterdir())
    assert not settings.layout.traffic_samples.exists()
    assert folder.stat().st_mode & 0o777 == 0o700


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_status_traffic_reports_the_window_it_measured(settings):
    folder = settings.layout.metrics_dir
    metrics_files.wipe(settings)
    clock = Clock()
    write_metric_files(folder, COUNT.format(ok=10, bad=0))
    # No earlier sample: two readings a second apart (nothing happened in between).
    line = metrics_files.traffic(settings, clock=clock, sleep=clock.sleep)
    assert line == "0.0 req/s, 0 5xx over the last 1 s"
    clock.now += 60
    write_metric_files(folder, COUNT.format(ok=114, bad=6))
    line = metrics_files.traffic(settings, clock=clock, sleep=clock.sleep)
    assert line == "2.0 req/s, 6 5xx over the last 60 s"


def test_status_traffic_forgets_samples_from_before_a_restart(settings):
    metrics_files.wipe(settings)
    metrics_files.save_samples(settings, [[900.0, 5000.0, 3.0]])  # larger than anything now
    write_metric_files(settings.layout.metrics_dir, COUNT.format(ok=1, bad=0))
    clock = Clock()
    assert metrics_files.traffic(settings, clock=clock, sleep=clock.sleep).endswith("last 1 s")


def test_dashboard_uses_only_metrics_the_app_exports():
    dashboard = json.loads((ROOT / "docs" / "monitoring" / "grafana-dashboard.json").read_text())
    exported = {
        sample_name
        for metric in vars(metrics).values()
        if hasattr(metric, "_name") and hasattr(metric, "_type")
        for sample_name in names_of(metric)
    }
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used.update(re.findall(r"\b(?:http|app)_[a-z_]+", target["expr"]))
    assert used and used <= exported, used - exported


def names_of(metric) -> set[str]:
    base = metric._name
    if metric._type == "counter":
        return {base + "_total"}
    if metric._type == "histogram":
        return {base + suffix for suffix in ("_bucket", "_sum", "_count")}
    return {base}


def test_status_says_so_when_a_metrics_file_is_not_sized_yet(settings):
    from project.deploy.status import traffic_line

    metrics_files.wipe(settings)
    (settings.layout.metrics_dir / "counter_12345.db").write_bytes(b"")  # a worker mid-boot
    assert traffic_line(settings).startswith("metrics unreadable right now")
