"""Python and the click CLI in a subprocess, run from a project folder as a user would (no bash
bootstrap): the checkout's, or a copy's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from project.config import PROJECT_ROOT
from project.deploy.layout import CLI_MODULE


def cli_command(*args: str) -> list[str]:
    """The checkout's CLI with the Python running us."""
    return [sys.executable, "-m", CLI_MODULE, *args]


def run_python(
    root: Path,
    *args: str,
    env: dict,
    timeout: float = 300,
    stdin: str = "",
    python: str | None = None,
) -> subprocess.CompletedProcess:
    """`python ARGS` from `root` (cwd, so its own package is the one imported), by default with
    the project's .venv."""
    return subprocess.run(
        [python or str(root / ".venv" / "bin" / "python"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
    )


def run_cli(*args: str, env: dict, stdin: str = "", timeout: float = 60):
    """`python -m <package>.cli ARGS` from the checkout with exactly `env`."""
    return run_python(
        PROJECT_ROOT,
        *cli_command(*args)[1:],
        env=env,
        stdin=stdin,
        timeout=timeout,
        python=sys.executable,
    )
