"""scripts/ctl's bootstrap: `start` installs the runtime requirements only (F-25); `test` and
`bench` add the development set; a .venv that is a link (another checkout's) is never
installed into. Run against fake venvs whose python logs each call."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from project.config import PROJECT_ROOT

FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../calls.log"
"""


@pytest.fixture
def checkout(tmp_path):
    """scripts/ctl and the files it fingerprints, with a fake .venv/bin/python."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "ctl", tmp_path / "scripts" / "ctl")
    for name in ("requirements.txt", "requirements-dev.txt", "setup.cfg", "pyproject.toml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def ctl(root, *args) -> list[str]:
    """Run scripts/ctl; the fake python's calls, one per line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    result = subprocess.run(
        [str(root / "scripts" / "ctl"), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    log = root / ".venv" / "calls.log"
    calls = log.read_text().splitlines()
    log.unlink()
    return calls


def installed(calls: list[str]) -> list[str]:
    return [c.split(" -r ")[1].split("/")[-1] for c in calls if "pip install" in c and " -r " in c]


def test_start_on_a_server_installs_the_runtime_set_only(checkout):
    calls = ctl(checkout, "start")
    assert installed(calls) == ["requirements.txt"]
    assert calls[-1] == "-m project.cli start"
    assert ctl(checkout, "status") == ["-m project.cli status"]  # stamp matches: no pip at all


def test_start_compiles_the_translations_of_a_fresh_clone(checkout):
    shutil.copy(PROJECT_ROOT / "scripts" / "build-translations", checkout / "scripts")
    shutil.copytree(PROJECT_ROOT / "scripts" / "lib", checkout / "scripts" / "lib")
    po = checkout / "project" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n')
    calls = ctl(checkout, "start")
    assert [c for c in calls if "i18n_catalog compile" in c] and calls[-1] == "-m project.cli start"


@pytest.mark.parametrize("verb", ["test", "bench"])
def test_test_and_bench_add_the_development_set(checkout, verb):
    assert installed(ctl(checkout, verb)) == ["requirements.txt", "requirements-dev.txt"]
    assert installed(ctl(checkout, verb)) == []  # both stamps match now
    assert installed(ctl(checkout, "start")) == []  # and start never removes or adds any


def pinned(filename: str) -> set[str]:
    text = (PROJECT_ROOT / filename).read_text().lower().replace("_", "-")
    return {line.split("==")[0].strip() for line in text.splitlines() if "==" in line}


def test_the_runtime_set_holds_no_test_tool():
    tools = {"pytest", "playwright", "schemathesis", "hypothesis", "aiosmtpd", "ruff", "mutmut"}
    assert pinned("requirements.txt") and not pinned("requirements.txt") & tools
    assert tools | {"pip-audit"} <= pinned("requirements-dev.txt")


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
