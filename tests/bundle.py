"""A copy of the project in a temp folder, driven through `scripts/ctl` like an operator would.

The copy shares the checkout's .venv (symlinked) but has its own code, etc/ and var/, so a test
may edit the copy's code (to prove a reload serves it) and everything the bundle writes stays
inside the temp folder. Every process started is stopped in `cleanup()`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from project.deploy import processes
from project.deploy.sandbox import copy_project
from tests.helpers import free_port, http_get


def clean_environment(extra: dict | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    return {**env, **(extra or {})}


class Bundle:
    # The copy's CLI module; a renamed copy (tests/integration/test_rename.py) sets its own.
    cli_module = "project.cli"

    def __init__(self, root: Path, port: int | None = None, env: dict | None = None):
        self.root = root
        self.port = port or free_port()
        self.env = clean_environment(env)

    @classmethod
    def create(cls, tmp_path: Path, **kwargs) -> Bundle:
        return cls(copy_project(tmp_path / "proj"), **kwargs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ctl(
        self, *args, check: bool = True, timeout: float = 120, stdin: str = ""
    ) -> subprocess.CompletedProcess:
        """Run a ctl verb through the click CLI of the copy (the bash bootstrap is tested apart)."""
        result = subprocess.run(
            [str(self.root / ".venv" / "bin" / "python"), "-m", self.cli_module, *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            input=stdin,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"ctl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self, *args: str) -> subprocess.CompletedProcess:
        return self.ctl("start", "--port", str(self.port), *args)

    def get(self, path: str = "/", timeout: float = 10) -> tuple[int, bytes]:
        return http_get(self.url + path, timeout=timeout)

    @property
    def run_dir(self) -> Path:
        return self.root / "var" / "run"

    def master_pid(self) -> int:
        return int((self.run_dir / "gunicorn.pid").read_text())

    def supervisord_pid(self) -> int:
        return int((self.run_dir / "supervisord.pid").read_text())

    def worker_pids(self) -> set[int]:
        return set(processes.children(self.master_pid()))

    def saved_settings(self) -> dict:
        return json.loads((self.root / "var" / "deploy.json").read_text())

    def project_pids(self) -> list[int]:
        """Live processes started from the copy (cwd or command line inside it)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            pid = int(entry.name)
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            inside = cwd.startswith(str(self.root)) or str(self.root) in processes.command_line(pid)
            if inside and not processes.is_zombie(pid):
                found.append(pid)
        return found

    def cleanup(self) -> None:
        """Stop the bundle, then kill anything of the copy that is still alive."""
        self.ctl("stop", check=False, timeout=90)
        for pid in self.project_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.project_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
