"""The job worker in the real bundle: mail written by the worker, jobs across a reload, new
task code after a reload, kill -9 mid-task, and two bundles sharing one store's scheduler.

The store is the embedded SQLite file, or the Redis or PostgreSQL named by TEST_JOBS_URL
(.ci/run runs all three).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.formclient import Browser
from devkit.jobs import TEST_JOBS_URL
from devkit.net import free_port
from devkit.polling import wait_until
from project.deploy import processes

pytestmark = pytest.mark.integration

PASSWORD = "granite-willow-58"
# A slow task added to the copy's code: it says when it starts and which version finished.
PROBE = '''
"""Test probe added by tests/integration/test_jobs_bundle.py."""
import logging, time
from .queue import task

log = logging.getLogger(__name__)


@task()
def probe():
    log.info("probe VERSION started")
    time.sleep(SECONDS)
    log.info("probe VERSION finished")
'''


def add_probe(root: Path, version: str, seconds: float = 3) -> None:
    source = PROBE.replace("VERSION", version).replace("SECONDS", str(seconds))
    (root / "project" / "jobs" / "probe.py").write_text(textwrap.dedent(source))
    worker = root / "project" / "jobs" / "worker.py"
    text = worker.read_text()
    if '"project.jobs.probe"' not in text:
        entry = '    "project.jobs.housekeeping",\n'
        text = text.replace(entry, entry + '    "project.jobs.probe",\n')
        worker.write_text(text)


def environment(queue: str | None = None) -> dict:
    env = {"APP_SESSION_COOKIE_SECURE": "false", "APP_JOBS_URL": TEST_JOBS_URL}
    env["APP_JOBS_QUEUE"] = queue or f"it_{uuid.uuid4().hex[:8]}"  # own keys on a shared store
    return env


@pytest.fixture
def jobs_bundle(tmp_path):
    bundle = Bundle.create(tmp_path, env=environment())
    add_probe(bundle.root, "v1")
    bundle.start("--workers", "2")
    yield bundle
    bundle.cleanup()


def app_log(bundle: Bundle) -> str:
    path = bundle.root / "var" / "log" / "app.log"
    return path.read_text() if path.exists() else ""


def supervisorctl(bundle: Bundle, *args: str) -> str:
    conf = bundle.root / "etc" / "supervisord.conf"
    command = [str(bundle.root / ".venv" / "bin" / "supervisorctl"), "-c", str(conf), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


def worker_pid(bundle: Bundle) -> int:
    match = re.search(r"worker\s+RUNNING\s+pid (\d+)", supervisorctl(bundle, "status", "worker"))
    return int(match.group(1)) if match else 0


def mail_files(bundle: Bundle) -> list[Path]:
    return sorted((bundle.root / "var" / "mail").glob("*.eml"))


def deliver_done_lines(bundle: Bundle) -> list[str]:
    return [x for x in app_log(bundle).splitlines() if "job deliver" in x and "done" in x]


def test_a_reset_mail_is_written_by_the_worker(jobs_bundle):
    jobs_bundle.ctl("create-user", "ann@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    supervisorctl(jobs_bundle, "stop", "worker")
    browser = Browser()
    token = browser.csrf_token(jobs_bundle.url + "/auth/forgot")
    form = {"csrf_token": token, "email": "ann@example.com"}
    status, _, headers = browser.request(jobs_bundle.url + "/auth/forgot", form)
    assert status == 302
    request_id = headers["X-Request-ID"]
    listing = jobs_bundle.ctl("jobs").stdout
    assert re.search(r"^queued\s+\S+\s+deliver", listing, re.M), listing
    assert mail_files(jobs_bundle) == []  # the web process wrote nothing
    supervisorctl(jobs_bundle, "start", "worker")
    wait_until(lambda: mail_files(jobs_bundle), timeout=20)
    [message] = mail_files(jobs_bundle)
    assert "Reset your password" in message.read_text()
    # The worker logs "done" after the mail is written: wait for the line, not just the file.
    wait_until(lambda: deliver_done_lines(jobs_bundle), timeout=20)
    done = deliver_done_lines(jobs_bundle)
    assert len(done) == 1 and f"[{request_id}]" in done[0]


CLIENT = """
import sys, time
from project.jobs import admin
from project.jobs.housekeeping import ping
admin.connect({"JOBS_URL": sys.argv[1], "JOBS_QUEUE": sys.argv[2], "VAR_DIR": sys.argv[3]})
for _ in range(int(sys.argv[4])):
    admin.huey.enqueue(ping.s())
    time.sleep(float(sys.argv[5]))
"""


def enqueue_clients(bundle: Bundle, clients: int, each: int, pause: float) -> list:
    env = bundle.env
    args = [env["APP_JOBS_URL"], env["APP_JOBS_QUEUE"], str(bundle.root / "var"), str(each)]
    return [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, *args, str(pause)],
            cwd=bundle.root,
        )
        for _ in range(clients)
    ]


def ping_ids(text: str) -> Counter:
    return Counter(re.findall(r"job ping (\S+) done", text))


def test_jobs_enqueued_by_8_clients_across_a_reload_all_run_exactly_once(jobs_bundle):
    before = ping_ids(app_log(jobs_bundle))
    clients = enqueue_clients(jobs_bundle, clients=8, each=25, pause=0.25)  # ~6 s each
    time.sleep(1)
    jobs_bundle.ctl("reload")
    for client in clients:
        assert client.wait(timeout=120) == 0
    wait_until(lambda: sum((ping_ids(app_log(jobs_bundle)) - before).values()) >= 200, 60)
    time.sleep(1)  # a duplicate would show up now
    ran = ping_ids(app_log(jobs_bundle)) - before
    assert len(ran) == 200 and set(ran.values()) == {1}, ran.most_common(3)
    # Drained (the scheduler's heartbeat, due once a minute, may be queued for a moment).
    wait_until(lambda: "0 queued" in jobs_bundle.ctl("jobs").stdout, 20)


def test_reload_lets_the_running_task_finish_then_runs_the_new_code(jobs_bundle):
    jobs_bundle.ctl("jobs", "run", "probe")
    wait_until(lambda: "probe v1 started" in app_log(jobs_bundle), 20)
    add_probe(jobs_bundle.root, "v2", seconds=0.1)  # the new code on disk
    old_pid = worker_pid(jobs_bundle)
    jobs_bundle.ctl("reload")
    assert "probe v1 finished" in app_log(jobs_bundle)  # not cut short by the reload
    assert worker_pid(jobs_bundle) not in (0, old_pid)
    jobs_bundle.ctl("jobs", "run", "probe")
    wait_until(lambda: "probe v2 finished" in app_log(jobs_bundle), 20)
    assert "probe v1 started" in app_log(jobs_bundle).split("probe v1 finished")[0]


def test_stop_waits_for_the_running_task(jobs_bundle):
    jobs_bundle.ctl("jobs", "run", "probe")
    wait_until(lambda: "probe v1 started" in app_log(jobs_bundle), 20)
    started = time.monotonic()
    jobs_bundle.ctl("stop")
    assert "probe v1 finished" in app_log(jobs_bundle)
    assert time.monotonic() - started >= 1  # it waited for the 3 s task


def test_kill_9_mid_task_the_worker_restarts_and_the_task_is_kept_as_failed(jobs_bundle):
    """Measured guarantee: huey takes a job off the queue before running it, so a killed
    worker does not run it again (at-most-once); our running-mark makes it a failed job that
    `ctl jobs requeue` runs again, instead of a silent loss."""
    jobs_bundle.ctl("jobs", "run", "probe")
    wait_until(lambda: "probe v1 started" in app_log(jobs_bundle), 20)
    old_pid = worker_pid(jobs_bundle)
    os.kill(old_pid, signal.SIGKILL)
    wait_until(lambda: worker_pid(jobs_bundle) not in (0, old_pid), 30)
    wait_until(lambda: "running when the previous worker died" in app_log(jobs_bundle), 20)
    time.sleep(4)  # longer than the task: it was not run again by the new worker
    log = app_log(jobs_bundle)
    assert "probe v1 finished" not in log and log.count("probe v1 started") == 1
    listing = jobs_bundle.ctl("jobs").stdout
    match = re.search(r"^failed\s+(\S+)\s+probe\s+.*worker died while running it", listing, re.M)
    assert match, listing
    jobs_bundle.ctl("jobs", "requeue", match.group(1))
    wait_until(lambda: "probe v1 finished" in app_log(jobs_bundle), 20)
    assert "0 failed" in jobs_bundle.ctl("jobs").stdout


def test_a_failed_requeue_of_an_unknown_id_is_one_error_line(jobs_bundle):
    result = jobs_bundle.ctl("jobs", "requeue", "nope", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: no failed job with id 'nope': `scripts/ctl jobs` lists them"
    ]
    neither = jobs_bundle.ctl("jobs", "requeue", check=False)
    assert neither.stderr.strip() == "error: name one failed job's id, or pass --all"
    unknown = jobs_bundle.ctl("jobs", "run", "nosuch", check=False)
    assert unknown.returncode == 1 and "tasks: " in unknown.stderr and "ping" in unknown.stderr
    assert processes.is_alive(worker_pid(jobs_bundle))


def ticks(log: str) -> list[str]:
    return re.findall(r"scheduler tick (\S+)", log)


def attempts(log: str) -> set[str]:
    return set(re.findall(r"housekeeping\.heartbeat: tick (\S+) claimed", log))


def claims(log: str) -> list[str]:
    return re.findall(r"housekeeping\.heartbeat: tick (\S+) claimed, enqueueing", log)


@pytest.mark.skipif(
    not TEST_JOBS_URL, reason="needs a shared store: TEST_JOBS_URL=redis:// or postgresql://"
)
def test_two_bundles_on_one_shared_store_run_a_periodic_task_once_per_tick(tmp_path):
    """One Redis or one PostgreSQL (whichever TEST_JOBS_URL names) behind two hosts."""
    env = environment(queue=f"it_{uuid.uuid4().hex[:8]}")  # one queue name: one shared queue
    hosts = [Bundle.create(tmp_path / name, env=env) for name in ("host-a", "host-b")]
    try:
        for host in hosts:
            host.start("--workers", "1")

        def contended() -> set[str]:  # minutes both schedulers tried to claim
            return attempts(app_log(hosts[0])) & attempts(app_log(hosts[1]))

        wait_until(lambda: contended(), timeout=150, interval=1)
        minute = sorted(contended())[0]
        wait_until(lambda: minute in ticks(app_log(hosts[0]) + app_log(hosts[1])), 20)
        time.sleep(2)
        logs = app_log(hosts[0]) + app_log(hosts[1])
        runs, claimed = Counter(ticks(logs)), Counter(claims(logs))
        assert claimed[minute] == 1 and set(claimed.values()) == {1}, claimed
        assert runs[minute] == 1 and set(runs.values()) == {1}, runs
    finally:
        for host in hosts:
            host.cleanup()


def test_with_redis_down_enqueueing_pages_say_so_and_the_rest_serves(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    bundle = Bundle.create(tmp_path, env={**environment(), "APP_JOBS_URL": dead})
    try:
        bundle.start("--workers", "1")  # the worker waits for its store instead of dying
        status = bundle.ctl("status", check=False)
        assert status.returncode == 1
        assert "queue        UNAVAILABLE: ConnectionError" in status.stdout
        assert re.search(r"^worker\s+RUNNING", status.stdout, re.M), status.stdout
        browser = Browser()
        token = browser.csrf_token(bundle.url + "/auth/register")
        form = {"csrf_token": token, "email": "ann@example.com"}
        form.update(password=PASSWORD, confirm=PASSWORD)
        code, _, headers = browser.request(bundle.url + "/auth/register", form)
        assert code == 302  # the account exists; answered as always (F-10: no enumeration)
        assert browser.log_in(bundle.url, "ann@example.com", PASSWORD)[0] == 302
        page = browser.request(bundle.url + "/account")[1]
        assert "Send a new link" in page  # the banner offers to try again
        line = next(x for x in app_log(bundle).splitlines() if "job deliver not enqueued" in x)
        assert f"[{headers['X-Request-ID']}]" in line
        assert bundle.get("/")[0] == 200 and bundle.get("/healthz")[0] == 200
        # the scheduler looks at the store every second: one line for the whole outage
        wait_until(lambda: "job store stopped answering" in app_log(bundle), 20)
        time.sleep(2)
        assert app_log(bundle).count("job store stopped answering: ConnectionError") == 1
        assert "Error reading schedule" not in app_log(bundle)
        error = bundle.ctl("jobs", check=False)
        assert error.returncode == 1
        assert error.stderr.startswith("error: the job store does not answer: ConnectionError")
    finally:
        bundle.cleanup()
