"""Rename the Python package and every reference to it, in place.

`scripts/ctl rename NEWNAME` rewrites the files git tracks, then moves the package folder.
It refuses to run on uncommitted changes (so `git status` and `git diff` show exactly what it
did) and while the bundle runs (its processes import the old name).
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .config import PROJECT_ROOT
from .user_errors import UserError

# The current name, whatever earlier renames made it.
PACKAGE = __name__.partition(".")[0]
VALID_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class RenameError(UserError):
    """The rename cannot be done; nothing was changed."""


def references(old: str) -> re.Pattern:
    """Where `old` names the package: module paths, file paths, imports, configs; never the
    same word in prose."""
    name = re.escape(old)
    return re.compile(
        rf"(?<![\w.-]){name}(?=\.[\w*]|/)"  # project.cli, project/static
        rf"|(?<=\bfrom ){name}\b|(?<=\bimport ){name}\b"  # imports
        rf"|(?<=[\"'`]){name}(?=[\"'`])"  # "project" in paths
        rf"|(?<== ){name}\b"  # setup.cfg: name = project
        rf"|\b{name}(?=-(?:ctl|assets)\b)"  # project-ctl, npm's name
    )


def check_name(new: str, root: Path) -> None:
    """A lowercase identifier that no stdlib, installed module or top-level folder uses."""
    if not VALID_NAME.fullmatch(new) or keyword.iskeyword(new):
        raise RenameError(f"{new!r} is not a lowercase Python identifier (a-z, 0-9, _)")
    if new == PACKAGE:
        raise RenameError(f"the package is already named {new!r}")
    if new in sys.stdlib_module_names or (root / new).exists():
        raise RenameError(f"{new!r} clashes with the standard library or a folder of the project")
    if importlib.util.find_spec(new) is not None:
        raise RenameError(f"{new!r} clashes with an installed module of that name")


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RenameError(f"{root} is not a git checkout: commit the project to git first")
    return result.stdout


def check_clean(root: Path) -> None:
    if git(root, "status", "--porcelain"):
        raise RenameError("uncommitted changes: commit or stash them first")


def check_stopped() -> None:
    import os

    from .deploy import control, processes
    from .deploy.settings import load_saved

    settings = load_saved(os.environ)
    if settings is None:
        return
    master = processes.read_pid(settings.layout.gunicorn_pid)
    if control.is_running(settings) or (master and processes.is_alive(master)):
        raise RenameError("the bundle is running: `scripts/ctl stop` first")


def tracked_files(root: Path) -> list[Path]:
    """Files git tracks; symlinks left out (rewriting one would edit its target)."""
    paths = [root / name for name in git(root, "ls-files", "-z").split("\0") if name]
    return [path for path in paths if path.is_file() and not path.is_symlink()]


def rewrite(path: Path, pattern: re.Pattern, new: str) -> bool:
    """Replace the references in one text file; True if it changed."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False  # a binary file
    changed = pattern.sub(new, text)
    if changed != text:
        path.write_text(changed, encoding="utf-8")
    return changed != text


def moved(path: Path, root: Path, new: str) -> Path:
    """Where `path` is once the package folder is renamed."""
    parts = path.relative_to(root).parts
    return root.joinpath(new, *parts[1:]) if parts[0] == PACKAGE else path


def ruff(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    if importlib.util.find_spec("ruff") is None:
        return None
    command = [sys.executable, "-m", "ruff", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True)


def tidy(root: Path, files: list[Path]) -> str:
    """Re-sort imports (the new name may sort elsewhere) and re-wrap lines (it may be longer);
    returns what ruff still reports, e.g. a comment now too long, or ''."""
    python = [str(path) for path in files if path.suffix == ".py"]
    if not python or ruff(root, "check", "--fix", "--select", "I", "--quiet", *python) is None:
        return ""
    ruff(root, "format", "--quiet", *python)
    result = ruff(root, "check", "--output-format", "concise", "--quiet", *python)
    return result.stdout.strip() if result.returncode else ""


def rename(new: str, root: Path = PROJECT_ROOT) -> tuple[list[Path], str]:
    """Rename the package to `new`: (the files rewritten, lint left to fix by hand)."""
    check_name(new, root)
    check_clean(root)
    check_stopped()
    pattern = references(PACKAGE)
    changed = [path for path in tracked_files(root) if rewrite(path, pattern, new)]
    (root / PACKAGE).rename(root / new)
    # Stale bytecode would keep the old paths in tracebacks.
    for cache in (root / new).rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    changed = [moved(path, root, new) for path in changed]
    return changed, tidy(root, changed)
