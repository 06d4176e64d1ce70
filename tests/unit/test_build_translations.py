"""scripts/build-translations: the bootstrap compiles the catalogues once, again only when a
catalogue changed or a compiled file is missing (a fingerprint, as for the assets)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from project.config import PROJECT_ROOT

# Logs each call and writes the .mo files, as `python -m project.i18n_catalog compile` would.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls.log"
for po in "$4"/*/LC_MESSAGES/messages.po; do : > "${po%.po}.mo"; done
"""
PO = "project/translations/zh_CN/LC_MESSAGES/messages.po"


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "build-translations", tmp_path / "scripts")
    shutil.copytree(PROJECT_ROOT / "scripts" / "lib", tmp_path / "scripts" / "lib")
    (tmp_path / PO).parent.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / PO, tmp_path / PO)
    python = tmp_path / "fake-python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def build(root, *args) -> int:
    """Run the script; how many times it compiled."""
    env = {**os.environ, "TRANSLATIONS_PYTHON": str(root / "fake-python")}
    script = root / "scripts" / "build-translations"
    subprocess.run([script, *args], check=True, env=env, capture_output=True, timeout=60)
    log = root / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return len(calls)


def test_a_second_run_does_nothing(checkout):
    assert build(checkout, "--if-stale") == 1
    assert (checkout / PO).with_suffix(".mo").is_file()
    assert build(checkout, "--if-stale") == 0


def test_a_changed_catalogue_or_a_missing_mo_builds_again(checkout):
    build(checkout, "--if-stale")
    with open(checkout / PO, "a") as po:
        po.write('\nmsgid "Extra"\nmsgstr "额外"\n')
    assert build(checkout, "--if-stale") == 1
    (checkout / PO).with_suffix(".mo").unlink()
    assert build(checkout, "--if-stale") == 1
    assert build(checkout) == 1  # without --if-stale: always


def test_a_project_without_catalogues_builds_nothing(checkout):
    shutil.rmtree(checkout / "project" / "translations")
    assert build(checkout, "--if-stale") == 0


def test_the_compiled_files_are_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(PROJECT_ROOT / PO.replace(".po", ".mo"))],
        cwd=PROJECT_ROOT,
    )
    assert ignored.returncode == 0
