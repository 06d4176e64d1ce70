"""`scripts/ctl deploy`: put a new release live on a running server, step by step.

pull → install changed requirements and build assets → migrate → reload. Each step runs as a
separate process on the new code. The first failure stops the chain before `reload` and puts
the previous release back on disk (git reset to the commit that was running, then the
bootstrap again), so the running workers keep serving the previous release and any worker
that starts later (max_requests, a crash) loads that same release, not half of the new one.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from . import privacy
from .control import is_running
from .errors import DeployError
from .layout import CLI_MODULE
from .settings import DeploySettings


def git(settings: DeploySettings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(settings.root), *args],
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,  # files a reset writes are code, readable like the rest of the checkout
    )


def current_commit(settings: DeploySettings) -> str:
    result = git(settings, "rev-parse", "HEAD")
    if result.returncode != 0:
        raise DeployError(f"{settings.root} is not a git checkout: deploy pulls with git")
    return result.stdout.strip()


def require_clean_checkout(settings: DeploySettings) -> None:
    """A rollback resets the checkout, so refuse to start with local edits it would drop."""
    changed = git(settings, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if changed:
        first = changed.splitlines()[0]
        raise DeployError(
            f"the checkout has local changes ({first.strip()}…): commit or stash them"
        )


def steps(settings: DeploySettings, pull: bool) -> list[tuple[str, list[str]]]:
    ctl = [str(settings.venv_bin / "python"), "-m", CLI_MODULE]
    bootstrap = [str(settings.root / "scripts" / "ctl"), "bootstrap"]
    chain = [("pull", ["git", "-C", str(settings.root), "pull", "--ff-only"])] if pull else []
    chain += [("install requirements and build assets", bootstrap), ("migrate", [*ctl, "migrate"])]
    return [*chain, ("reload", [*ctl, "reload"])]


# Code and built assets stay readable like any checkout (nginx serves static/ as another
# user); runtime files keep ctl's umask 077.
PUBLIC_STEPS = {"pull", "install requirements and build assets"}


def step_umask(name: str) -> int:
    return 0o022 if name in PUBLIC_STEPS else privacy.UMASK


def deploy(settings: DeploySettings, pull: bool, say: Callable[[str], None]) -> str:
    if not is_running(settings):
        raise DeployError("not running: deploy upgrades a running site; use `scripts/ctl start`")
    previous = current_commit(settings)
    if pull:
        require_clean_checkout(settings)
    for name, command in steps(settings, pull):
        say(f"deploy: {name}")
        status = subprocess.call(command, cwd=settings.root, umask=step_umask(name))
        if status != 0:
            rolled_back = name != "reload" and pull and roll_back(settings, previous, say)
            where = f"; code rolled back to {previous[:12]}" if rolled_back else ""
            raise DeployError(
                f"deploy stopped at '{name}' (exit {status}){where}; "
                "the running workers keep serving the previous release"
            )
    return f"deployed; serving at {settings.url}"


def roll_back(settings: DeploySettings, commit: str, say: Callable[[str], None]) -> bool:
    """Put the previous release back on disk; True when that worked."""
    say(f"deploy: rolling the checkout back to {commit[:12]}")
    if git(settings, "reset", "--hard", commit).returncode != 0:
        return False
    bootstrap = [str(settings.root / "scripts" / "ctl"), "bootstrap"]
    return subprocess.call(bootstrap, umask=0o022) == 0
