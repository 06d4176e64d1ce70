"""`scripts/ctl deploy` upgrades a running bundle from one commit to the next."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.load import Load
from devkit.sandbox import IGNORED, add_tools, set_home_heading
from project.config import PROJECT_ROOT

pytestmark = pytest.mark.integration

GIT = ["git", "-c", "user.name=Release", "-c", "user.email=release@example.com"]

BROKEN_MIGRATION = """
def migrate(migrator, database, *, fake=False):
    raise RuntimeError("this migration is broken on purpose")
"""


def git(folder: Path, *args: str) -> None:
    subprocess.run([*GIT, "-C", str(folder), *args], check=True, capture_output=True)


def commit_all(folder: Path, message: str) -> None:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)


@pytest.fixture
def server(tmp_path):
    """A server checkout cloned from an 'origin' repository, started as the bundle."""
    origin = tmp_path / "origin"
    shutil.copytree(PROJECT_ROOT, origin, ignore=IGNORED)
    git(origin, "init", "-q", "-b", "main")
    commit_all(origin, "release 1")
    root = tmp_path / "server"
    subprocess.run(["git", "clone", "-q", str(origin), str(root)], check=True)
    add_tools(root)
    shutil.copytree(
        PROJECT_ROOT / "project" / "static" / "gen", root / "project" / "static" / "gen"
    )
    bundle = Bundle(root)
    bundle.origin = origin
    try:
        bundle.start("--workers", "2")
        yield bundle
    finally:
        bundle.cleanup()


def release(origin: Path, heading: str, extra: dict[str, str] | None = None) -> None:
    set_home_heading(origin, heading)
    for relative, text in (extra or {}).items():
        (origin / relative).write_text(text)
    commit_all(origin, heading)


def test_deploy_under_load_then_failing_migration_keeps_serving(server):
    release(server.origin, "release 2")
    with Load("127.0.0.1", server.port, clients=6) as load:
        result = server.ctl("deploy", timeout=300)
    assert result.stdout.strip().endswith(f"deployed; serving at {server.url}")
    assert load.failures == 0, (load.statuses, load.errors[:3])
    assert b"release 2" in server.get("/")[1]

    release(server.origin, "release 3", {"project/migrations/099_broken.py": BROKEN_MIGRATION})
    failed = server.ctl("deploy", check=False, timeout=300)
    assert failed.returncode == 1
    assert "deploy stopped at 'migrate'" in failed.stderr
    assert "code rolled back to" in failed.stderr
    assert not (server.root / "project" / "migrations" / "099_broken.py").exists()
    for _ in range(10):  # whichever worker answers, first use of the template included
        status, body = server.get("/")
        assert status == 200 and b"release 2" in body

    (server.root / "README.md").write_text("edited on the server\n")
    dirty = server.ctl("deploy", check=False)
    assert dirty.returncode == 1
    assert "the checkout has local changes" in dirty.stderr


def test_deploy_refuses_when_not_running(tmp_path):
    bundle = Bundle.create(tmp_path)
    result = bundle.ctl("deploy", "--no-pull", check=False)
    assert result.returncode == 1
    assert "not running" in result.stderr
