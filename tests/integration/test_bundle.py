"""The production bundle driven for real: supervisord + gunicorn from a temp project copy."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from devkit.load import Load
from devkit.polling import wait_until
from devkit.sandbox import set_home_heading
from project.deploy import processes
from project.deploy.settings import default_workers

pytestmark = pytest.mark.integration


def test_start_serves_with_default_workers_and_status(bundle):
    result = bundle.start()
    assert result.stdout.splitlines()[0] == f"running at {bundle.url}"
    assert bundle.get("/")[0] == 200
    assert bundle.get("/healthz") == (200, b'{"status":"ok"}\n')
    assert len(bundle.worker_pids()) == default_workers()

    plain = subprocess.run(
        [str(bundle.root / ".venv" / "bin" / "supervisorctl"), "status"],
        cwd=bundle.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "web" in plain.stdout and "RUNNING" in plain.stdout, plain.stdout + plain.stderr

    status = bundle.ctl("status", check=False)
    assert status.returncode == 0
    assert "RUNNING" in status.stdout and "/healthz 200 OK" in status.stdout

    again = bundle.start()
    assert again.stdout.splitlines()[0] == f"already running at {bundle.url}"
    changed = bundle.ctl("start", "--workers", "1")
    assert "flags changed: `scripts/ctl restart` applies them" in changed.stdout
    assert len(bundle.worker_pids()) == default_workers()
    assert bundle.saved_settings()["workers"] == default_workers()


def test_workers_flag_persists_across_stop_and_start(bundle):
    bundle.start("--workers", "3")
    assert len(bundle.worker_pids()) == 3
    assert bundle.ctl("stop").stdout.strip() == "stopped"
    bundle.ctl("start")  # no flags: port and workers come from the saved settings
    assert bundle.get("/healthz")[0] == 200
    assert len(bundle.worker_pids()) == 3
    assert bundle.saved_settings()["port"] == bundle.port


def test_status_fails_when_not_running(bundle):
    result = bundle.ctl("status", check=False)
    assert result.returncode == 1
    assert "not running" in result.stdout
    assert bundle.ctl("stop").stdout.strip() == "not running"


def test_reload_under_load_drops_nothing_and_serves_new_code(bundle):
    bundle.start("--workers", "3")
    master = bundle.master_pid()
    with Load("127.0.0.1", bundle.port, clients=8) as load:
        for version in range(1, 6):
            old_workers = bundle.worker_pids()
            set_home_heading(bundle.root, f"release {version}")
            bundle.ctl("reload")
            assert not (bundle.worker_pids() & old_workers)
            assert f"release {version}".encode() in bundle.get("/")[1]
        time.sleep(0.2)  # let the clients hit the last generation of workers too
    assert load.total > 50
    assert load.failures == 0, (load.statuses, load.errors[:3])
    assert bundle.master_pid() == master


def test_reload_with_broken_code_changes_nothing(bundle):
    bundle.start("--workers", "2")
    workers = bundle.worker_pids()
    views = bundle.root / "project" / "main" / "views.py"
    views.write_text(views.read_text() + "\ndef broken(:\n")
    result = bundle.ctl("reload", check=False)
    assert result.returncode == 1
    assert "SyntaxError" in result.stderr
    assert "nothing was changed" in result.stderr
    assert bundle.get("/")[0] == 200
    assert bundle.worker_pids() == workers


def test_killed_worker_is_replaced(bundle):
    bundle.start("--workers", "2")
    victim = min(bundle.worker_pids())
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in bundle.worker_pids() and len(bundle.worker_pids()) == 2)
    assert bundle.get("/")[0] == 200


def test_killed_master_is_restarted_by_supervisord(bundle):
    bundle.start("--workers", "2")
    master = bundle.master_pid()
    os.kill(master, signal.SIGKILL)
    started = time.monotonic()

    def new_master_answers():
        try:
            return bundle.master_pid() != master and bundle.get("/healthz", timeout=1)[0] == 200
        except (OSError, ValueError):
            return False

    wait_until(new_master_answers, timeout=10)
    assert time.monotonic() - started < 10


def slow_route_source() -> str:
    """A route that takes 5 s, leaving `slow-started` next to the views once it runs."""
    return (
        "\n\n@bp.get('/slow')\n"
        "def slow():\n"
        "    import pathlib, time\n\n"
        "    pathlib.Path(__file__).with_name('slow-started').touch()\n"
        "    time.sleep(5)\n"
        "    return 'done'\n"
    )


def test_stop_lets_inflight_request_finish_and_frees_everything(bundle):
    views = bundle.root / "project" / "main" / "views.py"
    views.write_text(views.read_text() + slow_route_source())
    bundle.start("--workers", "2")
    result = {}
    request = threading.Thread(target=lambda: result.update(answer=bundle.get("/slow", timeout=30)))
    request.start()
    # The request must be inside the worker when stop begins.
    wait_until(lambda: (views.parent / "slow-started").exists(), timeout=20)
    assert bundle.ctl("stop").stdout.strip() == "stopped"
    request.join()
    assert result["answer"] == (200, b"done")
    assert bundle.project_pids() == []
    assert not processes.port_in_use("127.0.0.1", bundle.port)


def test_start_after_supervisord_was_killed(bundle):
    bundle.start("--workers", "2")
    os.kill(bundle.supervisord_pid(), signal.SIGKILL)
    result = bundle.ctl("start")
    assert result.stdout.splitlines()[0] == f"running at {bundle.url}"
    assert bundle.get("/healthz")[0] == 200


def test_stale_pid_and_socket_files_are_cleaned(bundle):
    bundle.run_dir.mkdir(parents=True)
    (bundle.run_dir / "supervisord.pid").write_text("999999\n")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(bundle.run_dir / "supervisor.sock"))
    stale.close()  # the file stays behind, as after a crash
    bundle.start("--workers", "2")
    assert bundle.get("/healthz")[0] == 200


def test_port_in_use_is_refused_before_anything_starts(bundle):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", bundle.port))
        taken.listen()
        result = bundle.ctl("start", "--port", str(bundle.port), check=False)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: port {bundle.port} on 127.0.0.1 is already in use by another process: "
        "stop it or pass --port\n"
    )
    assert not (bundle.run_dir / "supervisor.sock").exists()


def test_unknown_config_is_one_line(bundle):
    result = bundle.ctl("start", "--config", "nosuch", check=False)
    assert result.returncode == 1
    assert result.stderr == "error: unknown config 'nosuch'; choose one of: dev, test, prod\n"


def test_unwritable_var_is_a_clear_error(bundle):
    (bundle.root / "var").write_text("not a folder")
    result = bundle.ctl("start", "--port", str(bundle.port), check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot create")
    assert result.stderr.count("\n") == 1


def test_second_start_racing_the_first_is_refused(bundle):
    bundle.run_dir.mkdir(parents=True)
    with open(bundle.run_dir / "ctl.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = bundle.ctl("start", "--port", str(bundle.port), check=False)
    assert result.returncode == 1
    assert "another scripts/ctl command" in result.stderr


def open_paths(pid: int) -> list[str]:
    fd_dir = Path(f"/proc/{pid}/fd")
    paths = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("/"):
            paths.append(target)
    return paths


def test_nothing_is_written_outside_the_project(bundle):
    home_gunicorn = Path.home() / ".gunicorn"
    existed = home_gunicorn.exists()
    bundle.start("--workers", "2")
    allowed = (str(bundle.root), "/dev/", str(Path(os.path.realpath(bundle.root / ".venv"))))
    for pid in bundle.project_pids():
        for path in open_paths(pid):
            assert path.startswith(allowed), f"pid {pid} holds {path}"
    assert home_gunicorn.exists() == existed
