"""`scripts/ctl deploy`: put a new release live on a running server, step by step.

pull → install changed requirements and build assets → migrate → reload. Each step runs as a
separate process on the new code; the first failure stops the chain before `reload`, so the
workers already running keep serving the previous release.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from . import DeployError
from .control import is_running
from .settings import DeploySettings


def deploy_steps(settings: DeploySettings, pull: bool) -> list[tuple[str, list[str]]]:
    ctl = [str(settings.venv_bin / "python"), "-m", "project.cli"]
    steps = [("pull", ["git", "-C", str(settings.root), "pull", "--ff-only"])] if pull else []
    return [
        *steps,
        (
            "install requirements and build assets",
            [str(settings.root / "scripts" / "ctl"), "bootstrap"],
        ),
        ("migrate", [*ctl, "migrate"]),
        ("reload", [*ctl, "reload"]),
    ]


def deploy(settings: DeploySettings, pull: bool, say: Callable[[str], None]) -> str:
    if not is_running(settings):
        raise DeployError("not running: deploy upgrades a running site; use `scripts/ctl start`")
    for name, command in deploy_steps(settings, pull):
        say(f"deploy: {name}")
        status = subprocess.call(command, cwd=settings.root)
        if status != 0:
            raise DeployError(
                f"deploy stopped at '{name}' (exit {status}); "
                "the running workers keep serving the previous release"
            )
    return f"deployed; serving at {settings.url}"
