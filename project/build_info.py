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
    try:
        return importlib.metadata.version(__package__)
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN


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
