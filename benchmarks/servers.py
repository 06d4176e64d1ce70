"""The two servers under test, both from one temp copy of the project.

- the bundle: the real thing, devkit's `Bundle` driven through `python -m project.cli
  start|stop|reload` in the copy (its own etc/ and var/), exactly as an operator would; here
  its start and reload are timed.
- `BareServer`: gunicorn with the config file `ctl start` rendered for the bundle, plus a few
  overriding lines for the app, bind, pidfile, logs and process name only.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from devkit.bundle import Bundle
from devkit.net import free_port, status_of
from devkit.polling import WaitTimeout, wait_until
from project.deploy import processes

from .errors import BenchError


def first_200(url: str, timeout: float = 60.0, abandon_if=None) -> float:
    """Poll until `url` answers 200; the monotonic time it first did."""
    try:
        return wait_until(
            lambda: status_of(url, timeout=1.0) == 200 and time.monotonic(),
            timeout=timeout,
            interval=0.01,
            abandon_if=abandon_if,
        )
    except WaitTimeout:
        raise BenchError(f"{url} did not answer 200 within {timeout:.0f}s") from None


def timed_start(bundle: Bundle) -> dict:
    """`ctl start`, timed: seconds to the first 200 on / and until ctl returned."""
    began = time.monotonic()
    process = subprocess.Popen(
        bundle.ctl_command("start", "--port", str(bundle.port)),
        cwd=bundle.root,
        env=bundle.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answered = first_200(bundle.url + "/", abandon_if=lambda: process.poll() not in (None, 0))
    except BenchError:
        out, err = process.communicate(timeout=180)
        raise BenchError(f"ctl start failed: {(err or out).strip()[-300:]}") from None
    out, err = process.communicate(timeout=180)
    if process.returncode != 0:
        raise BenchError(f"ctl start failed: {(err or out).strip()[-300:]}")
    returned = time.monotonic()
    return {
        "first_200_s": round(answered - began, 3),
        "ctl_returned_s": round(returned - began, 3),
    }


def timed_reload(bundle: Bundle) -> float:
    began = time.monotonic()
    bundle.ctl("reload")
    return time.monotonic() - began


def master_pid(bundle: Bundle) -> int:
    try:
        return bundle.master_pid()
    except (OSError, ValueError):
        raise BenchError("the bundle's gunicorn pidfile is missing") from None


def bare_conf(
    bundle_conf: str,
    root: Path,
    port: int,
    app: str,
    name: str,
    extra: dict | None = None,
) -> str:
    """The bundle's gunicorn config, then the only lines that differ for a reference server
    (`extra`: a caller's own overriding settings)."""
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
        **(extra or {}),
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

    def __init__(
        self,
        bundle: Bundle,
        app: str = "benchmarks.bare_app:app",
        name: str = "bare",
        code: Path | None = None,
        overrides: dict | None = None,
    ):
        self.bundle = bundle
        self.app = app
        self.name = name
        self.code = code  # another tree of the project (benchmarks/translations_cost.py)
        # Settings of its own (benchmarks/metrics_cost.py); another tree is served from there.
        self.overrides = {**(overrides or {}), **({"chdir": str(code)} if code else {})}
        self.port = free_port()
        self.dir = bundle.root / "var" / "bench"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict | None = None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / f"{self.name}.gunicorn.conf.py"
        text = bare_conf(
            self.bundle.gunicorn_conf(),
            self.dir,
            self.port,
            self.app,
            self.name,
            self.overrides,
        )
        conf.write_text(text)
        gunicorn = self.bundle.root / ".venv" / "bin" / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", str(conf)],
            cwd=self.code or self.bundle.root,
            env={**self.bundle.env, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first_200(self.url + "/", timeout=60)

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
