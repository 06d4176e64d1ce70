"""Checks and preparation before processes start or reload: each failure is one clear line."""

from __future__ import annotations

import grp
import ipaddress
import json
import os
import secrets
import socket
import subprocess
import tempfile
from pathlib import Path

from ..config import load_config
from . import privacy, processes, public_url, warm_start
from .errors import DeployError
from .gunicorn import render_gunicorn_conf
from .layout import CLI_MODULE
from .logrotate import live_logs
from .settings import DeploySettings

# sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107


# Configs whose key is published and whose defaults are for one developer's machine.
LOCAL_CONFIGS = {
    "dev": "the debugger and a published secret key",
    "test": "CSRF off, a published key and toy password hashing",
}


def validate_flags(settings: DeploySettings) -> None:
    """Everything a flag can get wrong, checked before anything is stopped or started."""
    check_host(settings.host)
    refuse_local_config_on_network(settings)
    if settings.unix_socket:
        check_socket_path(settings.unix_socket)
        socket_gid(settings.socket_group)
    if settings.log_group:
        privacy.group_id(settings.log_group)
    for path in (settings.access_log_path, settings.error_log_path):
        problem = log_path_problem(path)
        if problem:
            raise DeployError(problem)


def check_host(host: str) -> None:
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DeployError(
            f"--host {host!r} is not an address or a name this host resolves"
        ) from None


def log_path_problem(path: Path) -> str | None:
    """Why a log file cannot be written at `path` (its folder created if missing), or None."""
    if path.is_dir():
        return f"log path {path} is a folder: name a file"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"log file {path} is not writable by this user"
    folder = nearest_existing(path.parent)
    if not folder.is_dir():
        return f"cannot create log file {path}: {folder} is not a folder"
    if not can_create_in(folder):
        return f"cannot create log file {path}: nothing can be created in {folder}"
    return None


def can_create_in(folder: Path) -> bool:
    """Try it: os.access says yes to root even on /proc; a real file cannot lie."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".ctl-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def prepare_for_start(settings: DeploySettings) -> None:
    privacy.apply_umask()  # the database, logs and mail ctl's children create are private
    check_socket_path(settings.supervisor_socket)
    make_var_dirs(settings)
    remove_stale_files(settings)
    if settings.unix_socket:
        prepare_socket_dir(settings)
    elif processes.port_in_use(settings.host, settings.port):
        raise DeployError(
            f"port {settings.port} on {settings.host} is already in use by another process: "
            "stop it or pass --port"
        )
    ensure_secret_key(settings)
    for problem in public_url.errors(settings):
        raise DeployError(problem)
    app_config(settings)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_local_config_on_network(settings: DeploySettings) -> None:
    """dev and test on loopback only: behind nginx or on a LAN address they serve the world."""
    risk = LOCAL_CONFIGS.get(settings.config_name)
    exposed = settings.unix_socket or not is_loopback(settings.host)
    if risk and exposed:
        where = "a unix socket for nginx" if settings.unix_socket else settings.host
        raise DeployError(
            f"config {settings.config_name!r} ({risk}) must not serve {where}: "
            "use --config prod, or bind 127.0.0.1 for local tries"
        )


def start_warnings(settings: DeploySettings) -> list[str]:
    """What `start` says loudly about a risky start it does not refuse (CI and many containers
    run as root, and dev/test on loopback is a legitimate local try)."""
    warnings = []
    if os.geteuid() == 0:
        warnings.append(
            "running as root: supervisord, gunicorn and every worker will run as root, so any "
            "bug in the app hands over the whole machine; start it as an unprivileged user"
        )
    risk = LOCAL_CONFIGS.get(settings.config_name)
    if risk:
        warnings.append(
            f"config {settings.config_name!r} is for local work only ({risk}); "
            "never let real users reach it"
        )
    return warnings


def prepare_socket_dir(settings: DeploySettings) -> None:
    """<project>/sock, 2750: this user rwx, nginx's group may enter (and so connect), nobody
    else may even look. A leftover socket is removed (gunicorn's master is gone)."""
    folder = settings.layout.socket_dir
    check_socket_path(settings.unix_socket)
    ensure_writable_dir(folder)
    privacy.give_to_group(folder, socket_gid(settings.socket_group), "--socket-group")
    folder.chmod(0o2750)
    settings.unix_socket.unlink(missing_ok=True)


def socket_gid(name: str) -> int:
    """The group of the socket folder: --socket-group, else www-data, else our own."""
    if not name:
        try:
            return grp.getgrnam("www-data").gr_gid
        except KeyError:
            return os.getegid()
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise DeployError(
            f"--socket-group {name}: no such group (nginx's is often www-data)"
        ) from None


def check_socket_path(path: Path) -> None:
    if len(str(path).encode()) > MAX_SOCKET_PATH:
        raise DeployError(
            f"socket path {path} is {len(str(path).encode())} bytes, unix sockets allow "
            f"{MAX_SOCKET_PATH}: move the project to a shorter path or set APP_VAR_DIR"
        )


def make_var_dirs(settings: DeploySettings) -> None:
    for folder in settings.layout.private_dirs():
        ensure_writable_dir(folder)
    privacy.make_private(settings.var)  # also what older versions left 0644/0755
    for log in (settings.access_log_path, settings.error_log_path):
        ensure_writable_dir(log.parent)
    if settings.log_group:
        privacy.share_logs(settings.var, settings.log_dir, live_logs(settings), settings.log_group)


def ensure_writable_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeployError(f"cannot create {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DeployError(f"{folder} is not writable by this user: fix its owner or mode")


def remove_stale_files(settings: DeploySettings) -> None:
    """A crashed supervisord leaves its pidfile and socket; remove them if nobody owns them."""
    layout = settings.layout
    pidfile = layout.supervisord_pid
    pid = processes.read_pid(pidfile)
    if pid is not None and processes.is_alive(pid) and "supervisord" in processes.command_line(pid):
        raise DeployError(
            f"supervisord (pid {pid}) is alive but does not answer on "
            f"{settings.supervisor_socket}: kill it (kill {pid}) and retry"
        )
    for stale in (pidfile, layout.supervisor_socket, layout.gunicorn_pid):
        stale.unlink(missing_ok=True)


def ensure_secret_key(settings: DeploySettings) -> None:
    """Generate var/secret_key once (0600) unless a key comes from the environment."""
    if settings.environment.get("APP_SECRET_KEY"):
        return
    path = settings.layout.secret_key
    if path.exists():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")


def app_environ(settings: DeploySettings) -> dict[str, str]:
    return {**os.environ, **settings.app_environment()}


def app_config(settings: DeploySettings) -> dict:
    """The workers' config, loaded the way they will load it; raises ConfigError."""
    return load_config(settings.config_name, environ=app_environ(settings))


def run_ctl_child(settings: DeploySettings, *args: str, timeout: float = 300):
    """`python -m project.cli ARGS` with exactly the workers' environment, output captured."""
    return run_as_worker(settings, ["python", "-m", CLI_MODULE, *args], timeout)


def run_as_worker(settings: DeploySettings, command: list[str], timeout: float):
    """A program of the virtualenv (`command[0]`) in the project folder with exactly the
    workers' environment; output captured, the exit status left to the caller."""
    return subprocess.run(
        [str(settings.venv_bin / command[0]), *command[1:]],
        capture_output=True,
        text=True,
        cwd=settings.root,
        env=app_environ(settings),
        check=False,
        timeout=timeout,
    )


def run_migrations(settings: DeploySettings) -> str:
    """Apply migrations once, here, before any worker starts (in a child, as a worker would).

    Not even the child on a warm start with nothing changed (deploy/warm_start.py): it
    would build the whole app to find nothing to do, the longest step of such a start."""
    if warm_start.nothing_to_check(settings, app_config(settings)["DATABASE_URL"]):
        return "database is up to date"
    result = run_ctl_child(settings, "migrate", "--config", settings.config_name)
    if result.returncode != 0:
        raise DeployError(f"migrations failed: {last_error_line(result)}")
    return result.stdout.strip()


def database_status(settings: DeploySettings) -> dict:
    """{"reachable", "pending"} from a child process with the workers' environment."""
    result = run_ctl_child(settings, "db-status", "--config", settings.config_name)
    if result.returncode != 0:
        raise DeployError(f"database check failed: {last_error_line(result)}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def last_error_line(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1].removeprefix("error: ") if lines else f"exit status {result.returncode}"


def verify_new_code(settings: DeploySettings) -> None:
    """Import the app and load the new gunicorn config in a separate process, as a worker would."""
    candidate = settings.layout.candidate_gunicorn_conf
    candidate.write_text(render_gunicorn_conf(settings))
    result = run_as_worker(
        settings, ["gunicorn", "--check-config", "--config", str(candidate)], 120
    )
    candidate.unlink(missing_ok=True)
    fail_unless_loaded(result)
    fail_unless_loaded(check_worker_code(settings))


def check_worker_code(settings: DeploySettings) -> subprocess.CompletedProcess:
    """The job worker's imports (app and every task module), in a separate process."""
    return run_as_worker(settings, ["python", "-m", "project.jobs.worker", "--check"], 120)


def fail_unless_loaded(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        output = (result.stderr + result.stdout).strip().splitlines()
        detail = "\n".join(output[-15:])
        raise DeployError(f"the new code does not load; nothing was changed:\n{detail}")
