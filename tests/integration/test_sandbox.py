"""A sandbox copy can never change the checkout it was copied from.

Once, a renamed copy's `npm ci` ran through its link to the checkout's node_modules and left
that folder empty, its install fingerprint gone (issue 14, bug 3). The checkout here is a
stand-in with node_modules of its own, so a regression empties that one, not the real one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from devkit.sandbox import IGNORED, copy_project, tools_state, venv_of
from project.config import PROJECT_ROOT
from project.rename import PACKAGE, references, rewrite

pytestmark = pytest.mark.integration


def stand_in_checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT, root, ignore=IGNORED, symlinks=True)
    (root / ".venv").symlink_to(venv_of(PROJECT_ROOT))
    shutil.copytree(PROJECT_ROOT / "node_modules", root / "node_modules", symlinks=True)
    return root


def test_npm_ci_in_a_renamed_copy_leaves_the_checkouts_node_modules(tmp_path):
    checkout = stand_in_checkout(tmp_path)
    before = tools_state(checkout)
    assert "node_modules/.install-fingerprint" in before
    copy = copy_project(tmp_path / "copy", source=checkout)
    for name in ("package.json", "package-lock.json"):  # what `ctl rename` does to them
        assert rewrite(copy / name, references(PACKAGE), "renamed")

    # What the renamed copy's own test run does first (tests/conftest.py: built_assets).
    built = subprocess.run(
        [copy / "scripts" / "build-assets", "--if-stale"], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert "installing npm packages" in built.stderr  # the package files differ: npm ci ran

    assert tools_state(checkout) == before
    lock = hashlib.sha256((copy / "package-lock.json").read_bytes()).hexdigest()
    assert (copy / "node_modules" / ".install-fingerprint").read_text().strip() == lock
