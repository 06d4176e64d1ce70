"""scripts/ctl's bootstrap never installs into a .venv that is a link (another checkout's)."""

import shutil
import subprocess

from project.config import PROJECT_ROOT


def test_ctl_never_installs_into_a_linked_venv(tmp_path):
    """`pip install -e` through a sandbox's link once pointed the checkout's package at the
    sandbox (a temp folder, deleted afterwards)."""
    other = tmp_path / "checkout" / ".venv"
    (other / "bin").mkdir(parents=True)
    calls = tmp_path / "calls.log"
    python = other / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    python.chmod(0o755)
    (other / ".installed").write_text("an older install\n")
    root = tmp_path / "copy"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "scripts" / "ctl", root / "scripts" / "ctl")
    for name in ("requirements.txt", "requirements-dev.txt", "setup.cfg", "pyproject.toml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    (root / ".venv").symlink_to(other)

    result = subprocess.run(
        [root / "scripts" / "ctl", "test", "--quick"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert calls.read_text() == "-m project.cli test --quick\n"  # no pip: only the hand-over
    assert (other / ".installed").read_text() == "an older install\n"
    assert result.stderr.count(f".venv is a link to {other}") == 2  # runtime and dev tools
