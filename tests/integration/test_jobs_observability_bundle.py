"""The job worker seen through the real bundle's /metrics and the error reporter."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import urllib.request

import pytest

from devkit.bundle import Bundle
from devkit.polling import wait_until
from devkit.sentry_ingest import Ingest
from devkit.services import required_tool

pytestmark = pytest.mark.integration

SECRET = "job-ingest-password-8841"
# Added to the copy only: a route that enqueues jobs from the web process, and a task that
# fails every try.
TASK_MODULE = '''
"""Test task added by tests/integration/test_jobs_observability_bundle.py."""
from .queue import task


@task(retries=1)
def explode(password):
    raise RuntimeError(f"cannot log in with password={password}")
'''
TEST_ROUTES = """

# Added by tests/integration/test_jobs_observability_bundle.py to this copy only.
from flask import request as _request

from project.jobs.explode import explode as _explode
from project.jobs.housekeeping import ping as _ping


@app.route("/_test/enqueue")
def _test_enqueue():
    for _ in range(int(_request.args["n"])):
        _ping()
    return "queued"


@app.route("/_test/explode")
def _test_explode():
    _explode(_request.args["password"])
    return "queued"
"""


def add_test_code(root) -> None:
    (root / "project" / "jobs" / "explode.py").write_text(TASK_MODULE)
    worker = root / "project" / "jobs" / "worker.py"
    entry = '    "project.jobs.housekeeping",\n'
    worker.write_text(worker.read_text().replace(entry, entry + '    "project.jobs.explode",\n'))
    wsgi = root / "project" / "wsgi.py"
    wsgi.write_text(wsgi.read_text() + TEST_ROUTES)


@pytest.fixture
def bundle(tmp_path):
    created = Bundle.create(tmp_path, env={"APP_SESSION_COOKIE_SECURE": "false"})
    add_test_code(created.root)
    yield created
    created.cleanup()


def sample(text: str, name: str, task: str) -> float:
    match = re.search(rf'^{name}\{{task="{task}"\}} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def scrape(bundle: Bundle) -> str:
    status, body = bundle.get("/metrics")
    assert status == 200, body
    return body.decode()


def worker_pid(bundle: Bundle) -> int:
    result = bundle.ctl("status", check=False).stdout
    match = re.search(r"^worker\s+RUNNING\s+pid (\d+)", result, re.M)
    return int(match.group(1)) if match else 0


def test_the_scrape_counts_every_job_the_worker_ran_across_a_kill(bundle):
    bundle.start("--workers", "2")
    runs = 40
    for _ in range(4):  # from both web workers, most likely
        assert bundle.get(f"/_test/enqueue?n={runs // 4}")[0] == 200
    wait_until(lambda: sample(scrape(bundle), "app_jobs_succeeded_total", "ping") >= runs, 60)
    text = scrape(bundle)
    assert sample(text, "app_jobs_enqueued_total", "ping") == runs  # counted by the web workers
    assert sample(text, "app_jobs_succeeded_total", "ping") == runs  # counted by the job worker
    wait_until(lambda: "app_jobs_queue_depth 0.0" in scrape(bundle), 30)

    old = worker_pid(bundle)
    os.kill(old, signal.SIGKILL)  # supervisord restarts it; the dead pid's counts stay
    wait_until(lambda: worker_pid(bundle) not in (0, old), 30)
    assert bundle.get("/_test/enqueue?n=1")[0] == 200
    wait_until(lambda: sample(scrape(bundle), "app_jobs_succeeded_total", "ping") >= runs + 1, 60)
    text = scrape(bundle)
    assert sample(text, "app_jobs_succeeded_total", "ping") == runs + 1

    promtool = required_tool("promtool", "prometheus")
    check = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_job_failing_its_last_try_reaches_the_reporter_with_the_enqueuing_request(tmp_path):
    with Ingest() as ingest:
        bundle = Bundle.create(tmp_path, env={"APP_SENTRY_DSN": ingest.dsn})
        add_test_code(bundle.root)
        try:
            bundle.start("--workers", "1")
            url = f"{bundle.url}/_test/explode?password={SECRET}"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                assert response.status == 200
                request_id = response.headers["X-Request-ID"]
            (event,) = ingest.wait_for_events(1, timeout=60)
            assert event["tags"]["request_id"] == request_id
            assert event["tags"]["component"] == "jobs"
            assert "explode" in event["logentry"]["formatted"]
            log = (bundle.root / "var" / "log" / "app.log").read_text()
            assert f"WARNING [{request_id}]" in log and "(1 tries left)" in log
            assert len(ingest.events()) == 1  # the first try, retried, sent nothing
            assert SECRET.encode() not in ingest.all_bytes()
        finally:
            bundle.cleanup()
