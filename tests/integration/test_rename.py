"""`scripts/ctl rename`: a renamed copy of the project starts, passes its tests and stops.

The copy shares the checkout's .venv, whose editable install still maps the old package name
to this checkout: so the test also proves that no reference to the old name is left, or a
renamed copy could silently run this checkout's code.
"""

from __future__ import annotations

import subprocess

import pytest

from devkit.bundle import Bundle
from devkit.cli import run_python
from devkit.sandbox import copy_project
from project.rename import PACKAGE, references, tracked_files

pytestmark = pytest.mark.integration

# Sorts after "tests", so the rename must also re-sort the imports that mention both.
NEW_NAME = "webapp" if PACKAGE != "webapp" else "webapp2"
# A quick subset of the copy's own suite: configs, the factory, pages, the database.
TEST_SUBSET = ["tests/unit", "-q", "-x", "-p", "no:cacheprovider", "-k", "config or main"]


def git_commit_all(root) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "snapshot"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def leftover_references(root) -> list[str]:
    pattern = references(PACKAGE)
    return [str(p) for p in tracked_files(root) if pattern.search(p.read_text(errors="ignore"))]


def run_copy(bundle: Bundle, *args: str) -> subprocess.CompletedProcess:
    """The copy's Python, run from the copy so its renamed package is the one imported."""
    return run_python(bundle.root, *args, env=bundle.env)


@pytest.fixture
def renamed(tmp_path):
    """A committed copy renamed to NEW_NAME (and committed again), stopped after the test."""
    root = copy_project(tmp_path / "proj")
    git_commit_all(root)
    bundle = Bundle(root)
    bundle.ctl("rename", NEW_NAME)
    git_commit_all(root)
    bundle.cli_module = f"{NEW_NAME}.cli"
    yield bundle
    bundle.cleanup()


def test_rename_rewrites_every_reference(renamed):
    assert not (renamed.root / PACKAGE).exists()
    assert (renamed.root / NEW_NAME / "cli" / "__init__.py").is_file()
    assert leftover_references(renamed.root) == []
    for lint in (["check", "."], ["format", "--check", "."]):
        result = run_copy(renamed, "-m", "ruff", *lint)
        assert result.returncode == 0, result.stdout + result.stderr


def test_renamed_copy_starts_passes_its_tests_and_stops(renamed):
    renamed.start()
    assert renamed.get("/healthz")[0] == 200
    assert (
        f"wsgi_app = '{NEW_NAME}.wsgi:app'" in (renamed.root / "etc/gunicorn.conf.py").read_text()
    )
    assert f"-m {NEW_NAME}.cli rotate-logs" in (renamed.root / "etc/supervisord.conf").read_text()

    refused = renamed.ctl("rename", "other_name", check=False)
    assert refused.returncode == 1 and "running" in refused.stderr

    tests = run_copy(renamed, "-m", "pytest", *TEST_SUBSET)
    assert tests.returncode == 0, tests.stdout + tests.stderr

    renamed.ctl("stop")
    assert renamed.project_pids() == []
    with pytest.raises(OSError):  # nothing listens on the port any more
        renamed.get("/healthz", timeout=2)
