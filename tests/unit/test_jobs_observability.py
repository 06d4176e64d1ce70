"""The job queue seen from outside: its counters, the queue depth gauge, reported failures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
import sentry_sdk
from flask import g
from prometheus_client import REGISTRY

from devkit.jobs import drain, use_store
from devkit.sentry_ingest import Ingest
from project import error_reporting, jobs, metrics
from project.config import PROJECT_ROOT
from project.jobs import scheduler, storage
from project.jobs.queue import huey

SECRET = "job-secret-password-5512"


@jobs.task()
def counted(value):
    return value


@jobs.task(retries=1)
def counted_failure(password):
    raise ValueError(f"could not log in with password={password}")


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def queued(app):
    app.config["JOBS_QUEUE"] = f"test_{uuid.uuid4().hex[:8]}"
    use_store(app, "")
    yield app
    huey.storage.flush_all()
    storage.close(huey.storage)


def test_enqueued_succeeded_retried_failed_are_counted_per_task(queued):
    names = ("enqueued", "succeeded", "retried", "failed")
    before = {
        (n, t): value(f"app_jobs_{n}_total", task=t)
        for n in names
        for t in ("counted", "counted_failure")
    }
    with queued.test_request_context():
        counted(1)
        counted(2)
        counted_failure("x")
    drain(huey)

    def delta(name, task):
        return value(f"app_jobs_{name}_total", task=task) - before[(name, task)]

    assert [delta(n, "counted") for n in names] == [2, 2, 0, 0]
    # the retry is enqueued again: two tries, one retried, the last one failed
    assert [delta(n, "counted_failure") for n in names] == [2, 0, 1, 1]


def test_the_scheduler_measures_the_queue_depth(queued):
    flag = type("Flag", (), {"wait": lambda self, t: None, "is_set": lambda self: False})()
    checker = scheduler.OncePerTickScheduler(huey, flag, 1, False)
    with queued.test_request_context():
        for number in range(3):
            counted(number)
    checker.loop()
    assert value("app_jobs_queue_depth") == 3
    drain(huey)
    checker.next_depth = 0  # next loop measures again (it does every few seconds)
    checker.loop()
    assert value("app_jobs_queue_depth") == 0


@pytest.fixture
def ingest():
    with Ingest() as server:
        yield server
    sentry_sdk.init()  # no DSN: the client of the next test sends nothing


def test_a_job_failing_its_last_try_is_one_event_with_the_request_id(queued, ingest):
    queued.config["SENTRY_DSN"] = ingest.dsn
    assert error_reporting.init(queued.config, "jobs", PROJECT_ROOT)
    with queued.test_request_context():
        g.request_id = "req-report-9"
        counted_failure(SECRET)
    drain(huey)  # two tries: the first is retried (a warning), the last one is reported
    sentry_sdk.flush()
    (event,) = ingest.wait_for_events(1)
    assert event["tags"]["request_id"] == "req-report-9"
    assert event["tags"]["component"] == "jobs"
    assert "counted_failure" in event["logentry"]["formatted"]
    assert SECRET.encode() not in ingest.all_bytes()


DEAD_PIDS_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from project import metrics
    if sys.argv[1] == "live":
        metrics.HTTP_IN_FLIGHT.inc()
        print(os.getpid())
    else:
        metrics.forget_dead_processes()
    """
)


def test_a_starting_worker_forgets_the_live_gauges_of_dead_processes(tmp_path):
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}

    def run(*args) -> str:
        command = [sys.executable, "-c", DEAD_PIDS_SCRIPT, *args]
        return subprocess.run(
            command, env=env, check=True, cwd=PROJECT_ROOT, capture_output=True, text=True
        ).stdout

    pid = run("live").strip()  # a process that exits without being marked dead (kill -9)
    assert (tmp_path / f"gauge_livesum_{pid}.db").exists()
    run("forget")
    assert not (tmp_path / f"gauge_livesum_{pid}.db").exists()
    assert list(tmp_path.glob("counter_*.db"))  # counters stay: their counts are in the sums
