"""start / stop / reload / restart / status: the operator's verbs over supervisord."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import time
import xmlrpc.client
from contextlib import contextmanager, suppress
from pathlib import Path

from ..codeversion import loaded_code_fingerprint
from . import metrics_files, probe, processes, rpc, shared_libraries, warm_start
from .errors import DeployError
from .files import config_files, write_files
from .gunicorn import proc_name
from .layout import (
    BUNDLE_MARKER_VARIABLE,
    JSON_LOGGER_CLASS,
    PACKAGE,
    TEXT_LOGGER_CLASS,
    WEB,
    WORKER,
    Program,
)
from .preflight import (
    app_config,
    ensure_writable_dir,
    prepare_for_start,
    run_migrations,
    validate_flags,
    verify_new_code,
)
from .settings import DeploySettings, load_saved, save
from .supervisor import STOP_WAIT_SECS, WORKER_STOP_WAIT_SECS

START_TIMEOUT = 60
FAILED_STATES = {"FATAL", "BACKOFF", "EXITED", "STOPPED", "UNKNOWN"}


@contextmanager
def ctl_lock(settings: DeploySettings):
    """One start/stop/reload at a time per project; a racing second one fails clearly."""
    ensure_writable_dir(settings.run_dir)
    path = settings.layout.ctl_lock
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise DeployError(
                f"another scripts/ctl command (pid {holder}) is working on this project; "
                "wait for it to finish and retry"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def is_running(settings: DeploySettings) -> bool:
    return rpc.supervisord_answers(settings.supervisor_socket)


def health_ok(settings: DeploySettings, timeout: float = 2.0) -> bool:
    return probe.get_status(settings, "/healthz", timeout) == 200


def start(settings: DeploySettings) -> str:
    validate_flags(settings)
    with ctl_lock(settings):
        if is_running(settings):
            return already_running(settings)
        stop_orphans(settings)
        prepare_for_start(settings)
        metrics_files.wipe(settings)  # no process holds a metrics file yet
        run_migrations(settings)
        write_files(config_files(settings))
        save(settings)
        launch_supervisord(settings)
        wait_until_serving(settings)
        warm_start.remember_served(settings, app_config(settings)["DATABASE_URL"])
        wait_until_running(settings, WORKER)
    return f"running at {settings.url}"


def already_running(requested: DeploySettings) -> str:
    """Report the running site; new flags are not applied behind the operator's back."""
    running = load_saved({"APP_VAR_DIR": str(requested.var)}) or requested
    wait_until_serving(running)
    message = f"already running at {running.url}"
    if running != requested:
        message += " (flags changed: `scripts/ctl restart` applies them)"
    return message


def launch_supervisord(settings: DeploySettings) -> None:
    conf = settings.layout.supervisord_conf
    result = subprocess.run(
        [str(settings.venv_bin / "supervisord"), "--configuration", str(conf)],
        capture_output=True,
        text=True,
        cwd=settings.root,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DeployError(
            f"supervisord did not start: {detail[-1] if detail else result.returncode}"
        )
    wait_for(lambda: is_running(settings), 15, "supervisord did not open its socket")


def wait_until_serving(settings: DeploySettings, timeout: float = START_TIMEOUT) -> None:
    """Until `web` is RUNNING and /healthz answers 200; fail early when web gives up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = web_state(settings)
        if state == "RUNNING" and health_ok(settings):
            return
        if state in ("FATAL", "EXITED"):
            break
        time.sleep(0.1)
    raise DeployError(
        f"web did not come up (state {web_state(settings)}, /healthz not 200); "
        f"last error log line: {last_line(settings.error_log_path)}"
    )


def web_state(settings: DeploySettings) -> str:
    return program_state(settings, WEB.name)


def program_state(settings: DeploySettings, name: str) -> str:
    try:
        return rpc.process_info(settings.supervisor_socket, name)["statename"]
    except (OSError, xmlrpc.client.Error):
        return "UNKNOWN"


def wait_until_running(settings: DeploySettings, program: Program, timeout: float = 30) -> None:
    """Until `program` is RUNNING (supervisord: up for startsecs); fail if it gives up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = program_state(settings, program.name)
        if state == "RUNNING":
            return
        if state in ("FATAL", "EXITED"):
            break
        time.sleep(0.1)
    log = settings.layout.program_log(program)
    raise DeployError(
        f"{program.name} did not come up (state {program_state(settings, program.name)}); "
        f"last line of {log}: {last_line(log)}"
    )


def last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return lines[-1] if lines else "(empty)"


def wait_for(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise DeployError(message)


def stop(settings: DeploySettings) -> str:
    with ctl_lock(settings):
        if not is_running(settings):
            orphans = stop_orphans(settings)
            return "stopped leftover gunicorn processes" if orphans else "not running"
        pid = rpc.client(settings.supervisor_socket).supervisor.getPID()
        rpc.client(settings.supervisor_socket).supervisor.shutdown()
        longest = max(STOP_WAIT_SECS, WORKER_STOP_WAIT_SECS)  # the worker finishing a task
        wait_for(lambda: not processes.is_alive(pid), longest + 15, "supervisord did not exit")
        stop_orphans(settings)
    return "stopped"


def stop_orphans(settings: DeploySettings) -> list[int]:
    """Stop every program left behind by a killed supervisord (gunicorn still holds the port,
    a second rotate-logs would rotate the same files): each carries the bundle's marker in
    its environment, whatever program it is."""
    master = stale_gunicorn_master(settings)
    family = [master, *processes.children(master)] if master else []
    leftovers = sorted({*family, *bundle_processes(settings)})
    for pid in leftovers:
        terminate(pid, signal.SIGTERM)
    gone = lambda: not any(processes.is_alive(p) for p in leftovers)  # noqa: E731
    try:
        wait_for(gone, STOP_WAIT_SECS, "")
    except DeployError:
        for pid in leftovers:
            if processes.is_alive(pid):
                terminate(pid, signal.SIGKILL)
    return leftovers


def stale_gunicorn_master(settings: DeploySettings) -> int | None:
    """The master named by our pid file, if it is still gunicorn running our config (by its
    command line, or by its process title when setproctitle has rewritten it)."""
    pid = processes.read_pid(settings.layout.gunicorn_pid)
    if pid is None or not processes.is_alive(pid):
        return None
    command = processes.command_line(pid)
    ours = str(settings.layout.gunicorn_conf) in command or f"[{proc_name(settings)}]" in command
    return pid if ours else None


def bundle_processes(settings: DeploySettings) -> list[int]:
    """Live processes started for this project's runtime folder, except this one's family."""
    marker = f"{BUNDLE_MARKER_VARIABLE}={settings.var}"
    mine = {os.getpid(), *processes.ancestors(os.getpid())}
    return [pid for pid in processes.with_environment(marker) if pid not in mine]


def terminate(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signum)


def reload(settings: DeploySettings) -> str:
    with ctl_lock(settings):
        if not is_running(settings):
            raise DeployError("not running: use `scripts/ctl start`")
        verify_new_code(settings)
        files = config_files(settings)
        gunicorn_conf_changed = changed(files, settings.layout.gunicorn_conf)
        write_files(files)
        save(settings)
        apply_supervisor_changes(settings)
        wait_until_serving(settings)
        libraries = shared_libraries.changed_files(settings.layout.master_modules)
        if libraries:
            restart_web(settings)  # the master holds the old libraries: HUP would keep them
        elif gunicorn_conf_changed:
            replace_all_workers(settings)  # only HUP makes the master re-read its config
        else:
            replace_workers_one_by_one(settings)
        wait_until_serving(settings)
        prove_new_code_served(settings)
        restart_worker(settings)
    how = f" (libraries changed on disk, e.g. {libraries[0]}: web restarted)" if libraries else ""
    return f"reloaded{how}; serving new code at {settings.url}; worker restarted on it"


def restart_web(settings: DeploySettings) -> None:
    """Stop gunicorn gracefully (in-flight requests finish) and start a new master."""
    supervisor = rpc.client(settings.supervisor_socket).supervisor
    supervisor.stopProcess(WEB.name, True)  # returns once it has exited
    supervisor.startProcess(WEB.name, False)
    wait_until_serving(settings)
    master = master_pid(settings)
    booted = lambda: len(ready_workers(settings, master)) >= settings.workers  # noqa: E731
    wait_for(booted, 60, "new gunicorn workers did not boot")


def restart_worker(settings: DeploySettings) -> None:
    """Stop the job worker gracefully (INT: its running tasks finish, up to the limit), then
    start it on the code on disk. Jobs enqueued meanwhile wait in the store, none is lost."""
    old = rpc.process_info(settings.supervisor_socket, WORKER.name)["pid"]
    supervisor = rpc.client(settings.supervisor_socket).supervisor
    if program_state(settings, WORKER.name) in ("RUNNING", "STARTING", "BACKOFF"):
        supervisor.stopProcess(WORKER.name, True)  # returns once it has exited
    supervisor.startProcess(WORKER.name, False)
    wait_until_running(settings, WORKER)
    if rpc.process_info(settings.supervisor_socket, WORKER.name)["pid"] == old:
        raise DeployError("the worker was not restarted")


def prove_new_code_served(settings: DeploySettings) -> None:
    """Every worker reports the fingerprint of the code on disk, and the master holds none
    of the app (else workers forked later would inherit old modules)."""
    held = set(master_modules(settings)) - MASTER_MAY_HOLD
    if held:
        raise DeployError(
            f"gunicorn's master holds app modules ({', '.join(sorted(held))}): workers it forks "
            "keep old code; `scripts/ctl restart` serves the new code"
        )
    want = loaded_code_fingerprint(settings.layout.package_dir)
    master = master_pid(settings)
    folder = settings.layout.ready_dir
    stale = [pid for pid in processes.children(master) if read_marker(folder / str(pid)) != want]
    if stale:
        raise DeployError(
            f"workers {stale} do not serve the code on disk (fingerprint {want}): "
            "`scripts/ctl restart` replaces them"
        )


# The package, its deploy package and the access-log classes (which mask link tokens) are
# all a master may import: none of them imports app code.
MASTER_MAY_HOLD = {
    PACKAGE,
    f"{PACKAGE}.deploy",
    JSON_LOGGER_CLASS.rsplit(".", 1)[0],
    TEXT_LOGGER_CLASS.rsplit(".", 1)[0],
}


def master_modules(settings: DeploySettings) -> list[str]:
    try:
        return json.loads(settings.layout.master_modules.read_text())["modules"]
    except (OSError, ValueError, KeyError):
        return []


def read_marker(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def changed(files: dict[Path, str], path: Path) -> bool:
    return not path.exists() or path.read_text() != files[path]


def apply_supervisor_changes(settings: DeploySettings) -> None:
    """`supervisorctl update`: re-read supervisord.conf and apply changed program sections."""
    conf = settings.layout.supervisord_conf
    result = subprocess.run(
        [str(settings.venv_bin / "supervisorctl"), "-c", str(conf), "update"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DeployError(f"supervisorctl update failed: {(result.stdout + result.stderr).strip()}")


def signal_web(settings: DeploySettings, name: str) -> None:
    rpc.client(settings.supervisor_socket).supervisor.signalProcess(WEB.name, name)


def master_pid(settings: DeploySettings) -> int:
    return rpc.process_info(settings.supervisor_socket, WEB.name)["pid"]


def replace_all_workers(settings: DeploySettings) -> None:
    """HUP: the master re-reads its config and replaces every worker at once."""
    master = master_pid(settings)
    old = set(processes.children(master))
    signal_web(settings, "HUP")

    def replaced() -> bool:
        current = set(processes.children(master))
        return not (current & old) and len(current) >= settings.workers

    wait_for(replaced, STOP_WAIT_SECS + 30, "old gunicorn workers did not exit after HUP")


def replace_workers_one_by_one(settings: DeploySettings) -> None:
    """TTIN (one new worker, new code) then TTOU (the oldest leaves gracefully), per worker.

    Only one worker imports the app at a time, so the others keep serving at full speed:
    latency during a reload stays close to steady state instead of spiking as with HUP.
    Workers recycled by max_requests meanwhile are already new, which ends the loop sooner.
    """
    master = master_pid(settings)
    old = set(processes.children(master))
    for _ in range(len(old)):
        if not set(processes.children(master)) & old:
            break
        before = set(processes.children(master))
        signal_web(settings, "TTIN")
        booted = lambda before=before: ready_workers(settings, master) - before  # noqa: E731
        wait_for(booted, 60, "new worker did not boot")
        signal_web(settings, "TTOU")
        back_to_size = lambda: len(processes.children(master)) <= settings.workers  # noqa: E731
        wait_for(back_to_size, STOP_WAIT_SECS + 5, "gunicorn did not retire its oldest worker")
    gone = lambda: not set(processes.children(master)) & old  # noqa: E731
    wait_for(gone, STOP_WAIT_SECS + 5, "old gunicorn workers did not exit")


def ready_workers(settings: DeploySettings, master: int) -> set[int]:
    """Children of the master that have loaded the app (marker from post_worker_init)."""
    folder = settings.layout.ready_dir
    return {pid for pid in processes.children(master) if (folder / str(pid)).exists()}


def restart(settings: DeploySettings) -> str:
    validate_flags(settings)  # a bad flag must not take the running site down
    stop(settings)
    return start(settings)
