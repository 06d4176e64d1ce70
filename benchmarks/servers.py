"""The two servers under test, both from one temp copy of the project.

- `Bundle`: the real thing, driven through `python -m project.cli start|stop|reload` in the
  copy (its own etc/ and var/, the checkout's .venv symlinked), exactly as an operator would.
- `BareServer`: gunicorn with the config file `ctl start` rendered for the bundle, plus a few
  overriding lines for the app, bind, pidfile, logs and process name only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from project.deploy import processes

from .errors import BenchError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(extra: dict | None = None) -> dict[str, str]:
    """Our environment without APP_* (the bench must not inherit an operator's settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    return {**env, **(extra or {})}


def status_of(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_for_200(url: str, timeout: float = 60.0, still_trying=lambda: True) -> float:
    """Poll until `url` answers 200; the monotonic time it first did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if status_of(url, timeout=1.0) == 200:
            return time.monotonic()
        if not still_trying():
            break
        time.sleep(0.01)
    raise BenchError(f"{url} did not answer 200 within {timeout:.0f}s")


class Bundle:
    def __init__(self, root: Path, env: dict | None = None):
        self.root = root
        self.port = free_port()
        self.env = clean_environment(env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ctl_command(self, *args: str) -> list[str]:
        return [str(self.root / ".venv" / "bin" / "python"), "-m", "project.cli", *args]

    def ctl(self, *args: str, input: str = "", timeout: float = 180) -> str:
        result = subprocess.run(
            self.ctl_command(*args),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            check=False,
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise BenchError(f"ctl {args[0]} failed: {detail[-1] if detail else result.returncode}")
        return result.stdout

    def start(self) -> dict:
        """`ctl start`, timed: seconds to the first 200 on / and until ctl returned."""
        began = time.monotonic()
        process = subprocess.Popen(
            self.ctl_command("start", "--port", str(self.port)),
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            first_200 = wait_for_200(
                self.url + "/", still_trying=lambda: process.poll() in (None, 0)
            )
        except BenchError:
            out, err = process.communicate(timeout=180)
            raise BenchError(f"ctl start failed: {(err or out).strip()[-300:]}") from None
        out, err = process.communicate(timeout=180)
        if process.returncode != 0:
            raise BenchError(f"ctl start failed: {(err or out).strip()[-300:]}")
        returned = time.monotonic()
        return {
            "first_200_s": round(first_200 - began, 3),
            "ctl_returned_s": round(returned - began, 3),
        }

    def stop(self) -> None:
        self.ctl("stop")

    def reload(self) -> float:
        began = time.monotonic()
        self.ctl("reload")
        return time.monotonic() - began

    def master_pid(self) -> int:
        pid = processes.read_pid(self.root / "var" / "run" / "gunicorn.pid")
        if pid is None:
            raise BenchError("the bundle's gunicorn pidfile is missing")
        return pid

    def gunicorn_conf(self) -> str:
        return (self.root / "etc" / "gunicorn.conf.py").read_text()

    def cleanup(self) -> None:
        """Stop the bundle; kill whatever of the copy is left (a failed run must not leak)."""
        with contextlib.suppress(BenchError, subprocess.TimeoutExpired):
            self.ctl("stop", timeout=90)
        for pid in processes.processes_mentioning(str(self.root)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def bare_conf(bundle_conf: str, root: Path, port: int, app: str, name: str) -> str:
    """The bundle's gunicorn config, then the only lines that differ for a reference server."""
    overrides = {
        "wsgi_app": app,
        "bind": [f"127.0.0.1:{port}"],
        "pidfile": str(root / f"{name}.pid"),
        "accesslog": str(root / f"{name}-access.log"),
        "errorlog": str(root / f"{name}-error.log"),
        "proc_name": f"bench-{name}",
        # The bundle's hooks write here: a reference server keeps its own files apart.
        "READY_DIR": str(root / f"{name}-workers"),
        "MASTER_MODULES": str(root / f"{name}-master-modules.json"),
        # No shared metrics folder: the reference's workers must not add to the bundle's.
        "raw_env": [],
    }
    lines = [f"{key} = {value!r}" for key, value in overrides.items()]
    return (
        bundle_conf
        + "# benchmarks: a reference server, same settings otherwise\n"
        + ("\n".join(lines) + "\n")
    )


class BareServer:
    """gunicorn serving a reference app (default benchmarks.bare_app) from the copy, outside
    supervisord, with the bundle's gunicorn config."""

    def __init__(self, bundle: Bundle, app: str = "benchmarks.bare_app:app", name: str = "bare"):
        self.bundle = bundle
        self.app = app
        self.name = name
        self.port = free_port()
        self.dir = bundle.root / "var" / "bench"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict | None = None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / f"{self.name}.gunicorn.conf.py"
        conf.write_text(
            bare_conf(self.bundle.gunicorn_conf(), self.dir, self.port, self.app, self.name)
        )
        gunicorn = self.bundle.root / ".venv" / "bin" / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", str(conf)],
            cwd=self.bundle.root,
            env={**self.bundle.env, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_200(self.url + "/", timeout=60)

    def master_pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def pss_kib(pid: int) -> int | None:
    """Proportional set size of one process (shared pages split among their users)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def memory(master: int) -> dict:
    """PSS in MiB of a gunicorn master and each of its workers."""
    workers = [pss_kib(pid) for pid in processes.children(master)]
    workers = [kib for kib in workers if kib is not None]
    mib = lambda kib: round(kib / 1024, 1)  # noqa: E731
    master_kib = pss_kib(master) or 0
    return {
        "master_mib": mib(master_kib),
        "workers_mib": [mib(kib) for kib in workers],
        "worker_max_mib": mib(max(workers, default=0)),
        "total_mib": mib(master_kib + sum(workers)),
    }
