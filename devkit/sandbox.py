"""Throwaway copies of this checkout, for the integration tests and the benchmarks.

Everything a bundle writes (etc/, var/, sockets, logs) stays in the copy, and a test may edit
the copy's code. The copy runs with the checkout's .venv, linked: installing it takes minutes,
and nothing in a copy installs Python packages. node_modules is copied instead (27 MB, tens of
milliseconds): a copy whose package files differ (a renamed copy) runs `npm ci`, which empties
the folder it installs into, and through a link that folder was the checkout's.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

from project.deploy.layout import PACKAGE, PROJECT_ROOT, Layout

CHECKOUT = Layout(PROJECT_ROOT, PROJECT_ROOT / "var")
# Runtime state, caches and rendered files: a copy renders and creates its own.
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    CHECKOUT.var.name,
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "test-output",
    "*.egg-info",
    "results",
    CHECKOUT.supervisord_conf.name,
    CHECKOUT.gunicorn_conf.name,
    CHECKOUT.nginx_example.name,
    CHECKOUT.nginx_https_example.name,
    CHECKOUT.socket_dir.name,
)


def copy_project(dest: Path, source: Path = PROJECT_ROOT) -> Path:
    """A copy of the checkout `source` at `dest`, ready to run (see `add_tools`)."""
    shutil.copytree(source, dest, ignore=IGNORED, symlinks=True)
    add_tools(dest, source)
    return dest


def add_tools(dest: Path, source: Path = PROJECT_ROOT) -> None:
    """Give the project folder `dest` the checkout's .venv (linked) and node_modules (copied)."""
    (dest / ".venv").symlink_to(venv_of(source))
    copy_node_modules(dest, source)


def copy_node_modules(dest: Path, source: Path = PROJECT_ROOT) -> None:
    """A copy of its own, never a link: whatever npm does in `dest` stays in `dest`."""
    if (source / "node_modules").is_dir():
        shutil.copytree(source / "node_modules", dest / "node_modules", symlinks=True)


def venv_of(source: Path) -> Path:
    """The .venv the copy links to: the one running us, when it is this checkout's."""
    if source == PROJECT_ROOT and sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    return (source / ".venv").resolve()


def tools_state(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """What a copy must never change in the checkout `root`: every entry of node_modules (its
    install fingerprint too) and the .venv's install markers, each with a digest of its content."""
    entries = sorted((root / "node_modules").rglob("*")) if (root / "node_modules").exists() else []
    venv = root / ".venv"
    site = "lib/python*/site-packages/"
    for pattern in (".installed*", site + "*.pth", site + "__editable__*"):
        entries += sorted(venv.glob(pattern))
    return {str(path.relative_to(root)): digest(path) for path in entries}


def digest(path: Path) -> str:
    if path.is_symlink():
        return "-> " + str(path.readlink())
    if path.is_dir():
        return "dir"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_home_heading(root: Path, text: str) -> None:
    """Edit the home template of the project copy at `root`, as new code would."""
    template = root / PACKAGE / "templates" / "main" / "index.html"
    source = template.read_text()
    start = source.index("<h1>") + len("<h1>")
    end = source.index("</h1>")
    template.write_text(source[:start] + text + source[end:])
