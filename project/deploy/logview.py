"""`scripts/ctl logs`: where each log lives, and showing it."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DeployError
from .layout import PROGRAMS
from .settings import DeploySettings


def log_paths(settings: DeploySettings, name: str | None) -> list[Path]:
    layout = settings.layout
    known = {
        "access": settings.access_log_path,
        "error": settings.error_log_path,
        "app": layout.app_log,
        "supervisord": layout.supervisord_log,
        **{program.name: layout.program_log(program) for program in PROGRAMS},
    }
    return [known[name]] if name else [known["error"], known["app"]]


def show(paths: list[Path], lines: int, follow: bool) -> None:
    existing = [str(p) for p in paths if p.exists()]
    if not existing:
        raise DeployError(f"no log yet at {', '.join(map(str, paths))}: has the site run?")
    if not follow and all(Path(p).stat().st_size == 0 for p in existing):
        print("\n".join(f"({Path(p).name} is empty)" for p in existing))
        return
    command = ["tail", "-n", str(lines), *(["-F"] if follow else []), *existing]
    os.execvp("tail", command)  # noqa: S606  (hand the terminal to tail; Ctrl-C ends it)
