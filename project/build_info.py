"""What runs: the package version, the git commit (the release), the config name.

Read once per process, in the worker (never in gunicorn's master). A bundle deployed without
.git (a tarball) says which release it is through APP_RELEASE.
"""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
from pathlib import Path

UNKNOWN = "unknown"


def version() -> str:
    """The installed distribution's version, else setup.cfg's (a renamed, not yet reinstalled
    copy), else "unknown"."""
    try:
        return importlib.metadata.version(__package__)
    except importlib.metadata.PackageNotFoundError:
        return version_in_setup_cfg(Path(__file__).resolve().parents[1] / "setup.cfg")


def version_in_setup_cfg(path: Path) -> str:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return UNKNOWN
    found = [line.split("=", 1)[1].strip() for line in lines if line.startswith("version =")]
    return found[0] if found else UNKNOWN


@functools.cache
def git_commit(root: Path) -> str:
    """HEAD's commit in `root`, or "unknown" (no git, not a checkout)."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return UNKNOWN
    return result.stdout.strip() if result.returncode == 0 else UNKNOWN


def release(config: dict, root: Path) -> str:
    """APP_RELEASE when set, else the git commit."""
    return config.get("RELEASE") or git_commit(root)
