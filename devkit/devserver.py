"""`ctl dev` (the Flask debug server) in a child process of its own session."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from project.config import PROJECT_ROOT

from .cli import cli_command
from .net import answers, free_port
from .polling import wait_until


class DevServer:
    """`ctl dev` (`python -m <package>.cli dev`) from the checkout on a free port, its runtime
    folder at `var_dir`."""

    def __init__(self, var_dir: Path):
        self.port = free_port()
        env = {**os.environ, "APP_VAR_DIR": str(var_dir)}
        env.pop("APP_CONFIG", None)
        self.process = subprocess.Popen(
            cli_command("dev", "--port", str(self.port)),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the reloader forks a child: kill the whole group
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self) -> None:
        wait_until(lambda: answers(self.url + "/healthz"))

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)
