"""project/jobs: stores, the request id a job carries, retries, failures, the per-tick claim.

Runs on the embedded SQLite store, and on Redis or PostgreSQL too when TEST_JOBS_URL names one
(.ci/run runs both).
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta

import pytest
from flask import g
from huey.storage import PostgresStorage, RedisStorage, SqliteStorage

from devkit.jobs import drain, queue_down, store_urls, use_store
from devkit.net import free_port
from devkit.testapp import app_log_text
from project import jobs
from project.config import ConfigError
from project.jobs import failures, housekeeping, scheduler, storage
from project.jobs.queue import QueueUnavailable, huey
from project.models import ApiToken, LoginFailure, utcnow

CALLS: list[tuple] = []


@jobs.task()
def record_call(value):
    CALLS.append((value, g.request_id))


@jobs.task(retries=2)
def always_fails(value):
    raise ValueError(f"bad value {value}")


@pytest.fixture(params=store_urls(), ids=lambda url: url.partition(":")[0] or "sqlite")
def queued(app, request):
    """The app with a real store (own queue name) instead of immediate mode; emptied after."""
    app.config["JOBS_QUEUE"] = f"test_{uuid.uuid4().hex[:8]}"
    use_store(app, request.param)
    CALLS.clear()
    yield app
    huey.storage.flush_all()
    storage.close(huey.storage)


def test_embedded_store_is_sqlite_under_var_data(app):
    store = storage.make_storage({**app.config, "JOBS_URL": ""})
    assert isinstance(store, SqliteStorage)
    assert store.filename == os.path.join(app.config["VAR_DIR"], "data", "jobs.db")
    store.close()


def test_redis_url_gives_the_redis_store_and_a_bad_scheme_is_refused(app):
    config = {**app.config, "JOBS_URL": "redis://:pw@127.0.0.1:6379/5"}
    store = storage.make_storage(config)
    assert isinstance(store, RedisStorage) and store.name == "project"
    assert storage.describe(config) == "redis://127.0.0.1:6379/5"  # no password in logs
    storage.close(store)
    with pytest.raises(ConfigError, match="unsupported APP_JOBS_URL 'amqp://host'"):
        storage.make_storage({**app.config, "JOBS_URL": "amqp://host"})


def test_a_postgresql_url_needs_no_server_until_the_first_job(app):
    url = f"postgresql://app:pw@127.0.0.1:{free_port()}/jobs"
    use_store(app, url)  # the app factory does this: a database that is down must not fail it
    assert isinstance(huey.storage, PostgresStorage) and huey.storage.table_kv == "jobs_kv"
    assert app.extensions["jobs_store"] == f"postgresql://127.0.0.1:{url.rpartition(':')[2]}"
    with app.test_request_context(), pytest.raises(QueueUnavailable):
        record_call(1)


def test_postgresql_commits_of_the_queue_do_not_wait_for_the_disk(queued):
    if not isinstance(huey.storage, PostgresStorage):
        pytest.skip("a PostgreSQL setting")
    assert huey.storage.sql("show synchronous_commit", results=True) == [("off",)]


def test_a_job_carries_the_request_id_into_the_worker(queued):
    with queued.test_request_context():
        g.request_id = "req-job-1"
        record_call(41)
    assert CALLS == []  # queued, not run: the request did not wait for it
    assert huey.pending_count() == 1
    drain(huey)  # as the worker: no app context, the job pushes its own
    assert CALLS == [(41, "req-job-1")]
    line = next(x for x in app_log_text(queued).splitlines() if "job record_call" in x)
    assert "INFO [req-job-1]" in line and "done in" in line


def test_a_raising_job_is_retried_then_kept_as_failed(queued):
    with queued.test_request_context():
        g.request_id = "req-fail-2"
        always_fails(7)
    assert len(drain(huey)) == 3  # the first try and two retries
    [failed] = failures.failed_jobs(huey)
    assert failed.name == "always_fails" and failed.request_id == "req-fail-2"
    assert failed.reason == "ValueError: bad value 7"
    log = app_log_text(queued)
    assert "WARNING [req-fail-2]" in log and "(2 tries left)" in log
    assert "ERROR [req-fail-2] project.jobs.queue: job always_fails" in log
    assert "failed after its last try" in log


def test_a_failed_job_is_requeued_with_all_its_tries(queued):
    with queued.test_request_context():
        always_fails(8)
    drain(huey)
    [failed] = failures.failed_jobs(huey)
    assert failures.requeue(huey, failed.id) is True
    assert failures.failed_jobs(huey) == []
    assert len(drain(huey)) == 3  # all three tries again
    assert [job.id for job in failures.failed_jobs(huey)] == [failed.id]
    assert failures.requeue(huey, "no-such-id") is False


def test_a_job_running_when_its_worker_died_is_kept_as_failed(queued):
    with queued.test_request_context():
        g.request_id = "req-kill-3"
        record_call(3)
    task = huey.dequeue()
    with queued.app_context(), pytest.raises(KeyboardInterrupt), failures.in_flight(huey, task):
        assert len(failures.running_jobs(huey)) == 1
        raise KeyboardInterrupt  # the process dies inside the job
    huey.storage.put_data(  # what kill -9 leaves: the running mark was never removed
        f"{failures.RUNNING}{failures.worker_identity()}:{task.id}", huey.serialize_task(task)
    )
    assert failures.recover_orphans(huey) == [task.id]
    [failed] = failures.failed_jobs(huey)
    assert (failed.id, failed.reason, failed.request_id) == (
        task.id,
        "worker died while running it",
        "req-kill-3",
    )
    assert failures.running_jobs(huey) == []


def test_another_hosts_running_job_is_not_taken_for_an_orphan(queued):
    huey.storage.put_data(f"{failures.RUNNING}otherhost:/srv/app:abc", b"x")
    assert failures.recover_orphans(huey) == []


def test_one_claim_per_task_and_minute_whoever_asks(queued):
    now = datetime(2026, 12, 1, 10, 0, 5)
    assert scheduler.claim_tick(huey.storage, "t", now) is True
    assert scheduler.claim_tick(huey.storage, "t", now + timedelta(seconds=50)) is False
    assert scheduler.claim_tick(huey.storage, "other", now) is True
    assert scheduler.claim_tick(huey.storage, "t", now + timedelta(minutes=1)) is True


def test_two_schedulers_on_one_store_enqueue_a_periodic_task_once(queued):
    flag = type("Flag", (), {"wait": lambda self, t: None, "is_set": lambda self: False})()
    first, second = (scheduler.OncePerTickScheduler(huey, flag, 1, True) for _ in range(2))
    now = datetime(2026, 12, 1, 10, 0, 0)
    first.enqueue_periodic_tasks(now)
    second.enqueue_periodic_tasks(now + timedelta(seconds=30))
    names = [type(task).__name__ for task in huey.pending()]
    assert names.count("heartbeat") == 1
    second.enqueue_periodic_tasks(now + timedelta(minutes=1))
    assert [type(t).__name__ for t in huey.pending()].count("heartbeat") == 2


def test_a_store_outage_is_one_scheduler_line_and_its_end_another(app, caplog):
    flag = type("Flag", (), {"wait": lambda self, t: None, "is_set": lambda self: False})()
    checker = scheduler.OncePerTickScheduler(huey, flag, 1, True)
    queue_down(app)
    for _ in range(3):  # three seconds of huey's loop: the schedule read fails each time
        checker.loop()
    use_store(app, "")
    checker.loop()
    checker.loop()
    lines = [x for x in app_log_text(app).splitlines() if "project.jobs.scheduler" in x]
    assert len(lines) == 2, lines
    assert "ERROR" in lines[0] and "job store stopped answering: ConnectionError" in lines[0]
    assert "job store answers again" in lines[1]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []  # huey's own lines too
    storage.close(huey.storage)


def test_old_tick_claims_are_purged(queued):
    now = datetime(2026, 12, 1, 10, 0, 0)
    scheduler.claim_tick(huey.storage, "t", now - timedelta(hours=3))
    scheduler.claim_tick(huey.storage, "t", now)
    removed = scheduler.purge_ticks(huey.storage, now)
    if isinstance(huey.storage, RedisStorage):
        assert removed == 0  # Redis expires them itself
    else:
        assert removed == 1
        assert scheduler.claim_tick(huey.storage, "t", now) is False  # the fresh one stays


def test_purges_delete_only_what_expired(app, auth):
    user = auth.create_user()
    now = utcnow()
    with app.app_context():
        LoginFailure.create(scope="account", key="a", failed_at=now - timedelta(hours=2))
        LoginFailure.create(scope="account", key="b", failed_at=now)
        for expires, revoked in ((now - timedelta(1), False), (now + timedelta(1), True)):
            ApiToken.create(
                user=user.id, token_hash=uuid.uuid4().hex, expires_at=expires, revoked=revoked
            )
        live = ApiToken.create(user=user.id, token_hash="live", expires_at=now + timedelta(1))
        assert housekeeping.purge_login_failures(900) == 1
        assert housekeeping.purge_api_tokens() == 2
        assert [f.key for f in LoginFailure.select()] == ["b"]
        assert [t.id for t in ApiToken.select()] == [live.id]


def test_old_mail_files_are_pruned(tmp_path):
    old, new = tmp_path / "old.eml", tmp_path / "new.eml"
    for path in (old, new):
        path.write_text("x")
    week_ago = time.time() - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    assert housekeeping.prune_mail_files(tmp_path, 7) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["new.eml"]
    assert housekeeping.prune_mail_files(tmp_path / "missing", 7) == 0


def test_housekeeping_jobs_run_in_the_worker_context(queued):
    housekeeping.purge_expired()
    housekeeping.heartbeat()
    assert len(drain(huey)) == 2
    assert huey.storage.peek_data(housekeeping.HEARTBEAT) is not None
    assert "purged 0 login failures" in app_log_text(queued)


def test_queue_down_is_a_503_page_and_json_and_a_log_line(app):
    app.add_url_rule("/enqueue", "enqueue", lambda: record_call(1) or "ok")
    app.add_url_rule("/api/v1/enqueue", "api_enqueue", lambda: record_call(1) or "ok")
    queue_down(app)
    client = app.test_client()
    page = client.get("/enqueue")
    assert page.status_code == 503 and b"the job queue is unavailable" in page.data
    answer = client.get("/api/v1/enqueue")
    assert answer.status_code == 503
    assert answer.json["error"]["message"] == "the job queue is unavailable; try again later"
    line = [x for x in app_log_text(app).splitlines() if "not enqueued" in x][-1]
    assert f"[{answer.headers['X-Request-ID']}]" in line and "record_call" in line
    assert client.get("/").status_code == 200


def test_reset_request_answers_the_same_when_the_queue_is_down(app, auth, client):
    auth.create_user()
    queue_down(app)
    pages = []
    for address in ("ann@example.com", "nobody@example.com"):
        response = client.post("/auth/forgot", data={"email": address})
        assert response.status_code == 302
        pages.append(client.get(response.location).data)
    assert pages[0] == pages[1]
    assert "not enqueued" in app_log_text(app)


def test_hourly_purge_removes_expired_login_sessions_and_limit_events(app):
    from datetime import timedelta

    from project.auth.service import create_user
    from project.models import LimitEvent, LoginSession, utcnow

    with app.test_request_context():
        user = create_user("ann@example.com", "violet-harbor-42")
        old = utcnow() - timedelta(seconds=app.config["SESSION_MAX_LIFETIME"] + 60)
        LoginSession.create(user=user.id, key_hash="a" * 64, created_at=old, last_seen_at=old)
        LoginSession.create(user=user.id, key_hash="b" * 64)  # fresh: stays
        stale = utcnow() - timedelta(seconds=app.config["MAIL_LIMIT_WINDOW"] + 60)
        LimitEvent.create(scope="recipient", key="x@example.com", at=stale)
        LimitEvent.create(scope="recipient", key="y@example.com")  # inside the window: stays
        housekeeping.purge_expired()
        assert [row.key_hash for row in LoginSession.select()] == ["b" * 64]
        assert [row.key for row in LimitEvent.select()] == ["y@example.com"]


def test_nightly_backup_is_a_periodic_task_that_takes_a_verified_backup(app, tmp_path):
    from pathlib import Path

    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    with app.app_context():
        housekeeping.nightly_backup()
    made = list(Path(tmp_path / "backups").glob("*.tar.gz"))
    assert len(made) == 1
    periodic = {task.__name__ for task in housekeeping.huey._registry._periodic_tasks}
    assert "nightly_backup" in periodic
