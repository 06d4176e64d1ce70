"""`ctl backup` and `ctl restore` as an operator runs them: one line on every mistake."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

from devkit.cli import run_cli


def ctl(*args, env_extra=None):
    import os

    env = {k: v for k, v in os.environ.items() if k != "APP_CONFIG"}
    return run_cli(*args, env={**env, **(env_extra or {})})


def site(tmp_path) -> dict:
    env = {"APP_VAR_DIR": str(tmp_path / "var"), "APP_CONFIG": "dev"}
    assert ctl("migrate", env_extra=env).returncode == 0
    return env


def test_backup_prints_the_verified_file_and_list_shows_it(tmp_path):
    env = site(tmp_path)
    made = ctl("backup", env_extra=env)
    assert made.returncode == 0, made.stderr
    path = Path(re.match(r"backup (\S+) \(\d+ bytes, [\d.]+ s\) verified$", made.stdout).group(1))
    assert path.parent == tmp_path / "var" / "backups"
    listed = ctl("backup", "--list", env_extra=env).stdout.splitlines()
    assert listed[1].split()[0] == path.name and listed[1].split()[-1] == "ok"


def test_restore_of_a_damaged_file_is_one_line_and_changes_nothing(tmp_path):
    env = site(tmp_path)
    path = Path(ctl("backup", env_extra=env).stdout.split()[1])
    database = tmp_path / "var" / "data" / "dev.db"  # the dev config's own database
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            "INSERT INTO users (email, password_hash, role, active, created_at,"
            " session_token) VALUES ('a@b.c', 'x', 'user', 1, '2026-01-01', 't')"
        )
        connection.commit()
    before = database.read_bytes()
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(path.read_bytes()[:200])
    refused = ctl("restore", str(damaged), env_extra=env)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error: damaged.tar.gz failed verification: unreadable")
    assert refused.stderr.endswith("; nothing was changed\n")
    assert database.read_bytes() == before
    assert not list(database.parent.glob("*.replaced-*"))


def test_a_failing_upload_exits_1_after_reporting_the_good_backup(tmp_path):
    env = {**site(tmp_path), "APP_BACKUP_UPLOAD_CMD": "false"}
    made = ctl("backup", env_extra=env)
    assert made.returncode == 1
    assert made.stdout.startswith("backup ") and "verified" in made.stdout
    assert made.stderr == (
        "error: backup is good but not copied off-host: upload command exited 1: (no output)\n"
    )
