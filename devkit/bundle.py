"""A project copy driven through its ctl verbs, as an operator would: tests and benchmarks.

The copy (see `sandbox`) has its own code, etc/ and var/, so a test may edit the copy's code
(to prove a reload serves it) and everything the bundle writes stays in the temp folder.
`cleanup()` stops every process the copy started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path

from project.deploy import processes
from project.deploy.layout import CLI_MODULE, Layout

from .cli import run_python
from .errors import DevkitError
from .net import free_port, http_get
from .polling import WaitTimeout, wait_until
from .sandbox import copy_project


class CtlFailed(DevkitError):
    """A ctl verb exited non-zero; `result` is the finished process."""

    def __init__(self, args: tuple, result: subprocess.CompletedProcess):
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        super().__init__(f"ctl {args[0]} failed: {last}", f"{result.stdout}\n{result.stderr}")
        self.result = result


def clean_environment(extra: dict | None = None) -> dict[str, str]:
    """Our environment without APP_* (a copy must not inherit an operator's settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    return {**env, **(extra or {})}


class Bundle:
    # The copy's CLI module; a renamed copy (tests/integration/test_rename.py) sets its own.
    cli_module = CLI_MODULE

    def __init__(self, root: Path, port: int | None = None, env: dict | None = None):
        self.root = root
        # APP_* are not passed on (see clean_environment): the copy's runtime folder is its var/.
        self.layout = Layout(root, root / "var")
        self.port = port or free_port()
        self.env = clean_environment(env)

    @classmethod
    def create(cls, tmp_path: Path, **kwargs) -> Bundle:
        return cls(copy_project(tmp_path / "proj"), **kwargs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ctl_command(self, *args: str) -> list[str]:
        """The click CLI of the copy (the bash bootstrap in front of it is tested apart)."""
        return [str(self.root / ".venv" / "bin" / "python"), "-m", self.cli_module, *args]

    def ctl(
        self, *args, check: bool = True, timeout: float = 120, stdin: str = ""
    ) -> subprocess.CompletedProcess:
        """Run a ctl verb in the copy; CtlFailed when it fails and `check` is set."""
        result = run_python(
            self.root, "-m", self.cli_module, *args, env=self.env, timeout=timeout, stdin=stdin
        )
        if check and result.returncode != 0:
            raise CtlFailed(args, result)
        return result

    def start(self, *args: str) -> subprocess.CompletedProcess:
        return self.ctl("start", "--port", str(self.port), *args)

    def get(self, path: str = "/", timeout: float = 10) -> tuple[int, bytes]:
        return http_get(self.url + path, timeout=timeout)

    @property
    def run_dir(self) -> Path:
        return self.layout.run_dir

    def master_pid(self) -> int:
        """gunicorn's PID; OSError or ValueError while its pid file is missing or half written."""
        return int(self.layout.gunicorn_pid.read_text())

    def supervisord_pid(self) -> int:
        return int(self.layout.supervisord_pid.read_text())

    def worker_pids(self) -> set[int]:
        return set(processes.children(self.master_pid()))

    def saved_settings(self) -> dict:
        return json.loads(self.layout.deploy_settings.read_text())

    def gunicorn_conf(self) -> str:
        return self.layout.gunicorn_conf.read_text()

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
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.ctl("stop", check=False, timeout=90)
        for pid in self.project_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(WaitTimeout):
            wait_until(lambda: not self.project_pids(), timeout=10)
