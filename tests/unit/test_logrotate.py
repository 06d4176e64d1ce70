"""Rotation into date-named files: naming, idempotence, compression, retention."""

import gzip
import os
import time
from datetime import date, datetime

import pytest

from project.deploy import logrotate
from project.deploy.settings import DeploySettings

DAY = date(2026, 11, 26)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    settings = DeploySettings(var_dir=str(tmp_path))
    settings.log_dir.mkdir(parents=True)
    return settings


def write(path, text):
    with path.open("a") as handle:
        handle.write(text)


def all_text(path) -> str:
    """Every line ever written to `path`, across its rotated (and gzipped) files, in order."""
    text = ""
    for rotated in logrotate.rotated_files(path):
        opener = gzip.open if rotated.suffix == ".gz" else open
        with opener(rotated, "rt") as handle:
            text += handle.read()
    return text + (path.read_text() if path.exists() else "")


def test_rotation_renames_to_the_day_covered(settings):
    access = settings.access_log_path
    write(access, "one\n")
    made = logrotate.rotate_logs(settings, DAY, keep_days=14)
    assert made == [access.with_name("access.log.2026-11-26")]
    assert not access.exists()


def test_second_run_same_day_loses_and_duplicates_nothing(settings):
    access = settings.access_log_path
    write(access, "one\n")
    logrotate.rotate_logs(settings, DAY, keep_days=14)
    assert logrotate.rotate_logs(settings, DAY, keep_days=14) == []  # nothing new: no empty file
    write(access, "two\n")
    second = logrotate.rotate_logs(settings, DAY, keep_days=14)
    assert second == [access.with_name("access.log.2026-11-26.1")]
    assert all_text(access) == "one\ntwo\n"


def test_older_rotated_files_are_compressed_keeping_content(settings):
    app_log = settings.log_dir / "app.log"
    write(app_log, "old line\n")
    [first] = logrotate.rotate_logs(settings, date(2026, 11, 25), keep_days=14)
    past = time.time() - 3600
    os.utime(first, (past, past))
    write(app_log, "new line\n")
    [second] = logrotate.rotate_logs(settings, DAY, keep_days=14)
    assert not first.exists()
    gz = first.with_name(first.name + ".gz")
    assert gzip.decompress(gz.read_bytes()) == b"old line\n"
    assert gz.stat().st_mtime == pytest.approx(past, abs=1)
    assert second.exists()  # the newest stays plain: a late writer may still append
    assert all_text(app_log) == "old line\nnew line\n"


def test_files_past_retention_are_deleted(settings):
    error = settings.error_log_path
    old = error.with_name("error.log.2026-10-01.gz")
    recent = error.with_name("error.log.2026-11-20")
    for path, age_days in ((old, 30), (recent, 6)):
        path.write_bytes(b"x")
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    unrelated = error.with_name("error.log.bak")
    unrelated.write_text("keep me")
    logrotate.rotate_logs(settings, DAY, keep_days=14)
    assert not old.exists()
    assert recent.with_name(recent.name + ".gz").exists() or recent.exists()
    assert unrelated.exists()


def test_custom_log_paths_are_rotated(tmp_path, monkeypatch):
    custom = DeploySettings(
        accesslog=str(tmp_path / "elsewhere" / "acc.log"), var_dir=str(tmp_path / "var")
    )
    custom.access_log_path.parent.mkdir(parents=True)
    write(custom.access_log_path, "x\n")
    made = logrotate.rotate_logs(custom, DAY, keep_days=14)
    assert made == [tmp_path / "elsewhere" / "acc.log.2026-11-26"]


def test_seconds_until_midnight():
    assert logrotate.seconds_until_midnight(datetime(2026, 11, 26, 23, 59, 30)) == 30
