"""A throwaway copy of this checkout that runs with the checkout's own .venv.

The integration tests and the benchmarks start real bundles from such copies, so everything a
bundle writes (etc/, var/, sockets, logs) stays in a temp folder and a test may edit the copy's
code. The copy shares .venv and node_modules by symlink: nothing is installed again.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..config import PROJECT_ROOT

# Runtime state, caches and rendered files: a copy renders and creates its own.
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "test-output",
    "*.egg-info",
    "results",
    "supervisord.conf",
    "gunicorn.conf.py",
    "nginx.conf.example",
    "sock",
)


def copy_project(dest: Path) -> Path:
    """A copy of the checkout at `dest` with the checkout's .venv (and node_modules) linked."""
    shutil.copytree(PROJECT_ROOT, dest, ignore=IGNORED, symlinks=True)
    venv = Path(sys.prefix) if sys.prefix != sys.base_prefix else PROJECT_ROOT / ".venv"
    (dest / ".venv").symlink_to(venv)
    if (PROJECT_ROOT / "node_modules").exists():
        (dest / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    return dest
