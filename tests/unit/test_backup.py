"""Backups: a snapshot of the live database that restores, and files that fail are refused."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import sys
from contextlib import closing
from pathlib import Path

import pytest

from devkit.accounts import make_user
from devkit.testapp import TEST_DATABASE_URL, close_all
from project.backup import BackupError
from project.backup.archive import write_archive
from project.backup.catalog import FAILED, GOOD, entries, newest_good, read_verdict
from project.backup.restore import REPLACED_MARK, restore_database
from project.backup.service import run_backup, run_scheduled_backup
from project.extensions import db
from project.models import Note

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite file checks")


@pytest.fixture
def config(app):
    user = make_user(app)
    with app.app_context():
        for n in range(25):
            Note.create(owner=user, title=f"note {n}")
    return dict(app.config)


def titles(app) -> list[str]:
    """Titles of all notes, read on a fresh connection (a restore replaces the file)."""
    with app.app_context():
        found = sorted(note.title for note in Note.select())
    close_all(db)
    return found


def database_file(config) -> Path:
    return Path(config["DATABASE_URL"][len("sqlite:///") :])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_is_private_named_verified_and_restores_every_row(app, config):
    result = run_backup(config)
    assert result.good, result.detail
    folder = Path(config["VAR_DIR"]) / "backups"
    assert result.path.parent == folder
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert read_verdict(result.path)["state"] == GOOD
    assert newest_good(folder).path == result.path
    before = titles(app)
    with app.app_context():
        Note.delete().execute()
    close_all(db)
    restore_database(config, result.path)
    assert titles(app) == before and len(before) == 25


@sqlite_only
def test_restore_keeps_the_replaced_database_until_the_next_backup(app, config):
    result = run_backup(config)
    report = restore_database(config, result.path)
    kept = report.kept[0]
    assert REPLACED_MARK in kept.name and kept.parent == database_file(config).parent
    with closing(sqlite3.connect(kept)) as old:
        assert old.execute("SELECT count(*) FROM notes").fetchone() == (25,)
    assert run_backup(config).good
    assert not kept.exists()


@pytest.mark.parametrize("damage", ["truncate", "flip bytes", "not gzip"])
def test_a_damaged_file_is_refused_and_the_database_untouched(app, config, damage):
    result = run_backup(config)
    data = bytearray(result.path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip bytes":
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    else:
        data = b"just some text\n" * 100
    bad = result.path.with_name("bad-2026-01-01T000000.tar.gz")
    bad.write_bytes(bytes(data))
    with app.app_context():
        Note.create(owner=1, title="after the backup")
    before = titles(app)
    with pytest.raises(BackupError, match="failed verification") as caught:
        restore_database(config, bad)
    assert "\n" not in str(caught.value)
    assert titles(app) == before


def sqlite_archive(tmp_path: Path, dest: Path, database: Path, migrations: list[str]) -> Path:
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "app.db").write_bytes(database.read_bytes())
    write_archive(dest, staging, {"database": "sqlite", "migrations": migrations})
    return dest


@sqlite_only
def test_a_corrupt_database_with_matching_checksums_fails_its_integrity_check(
    app, config, tmp_path
):
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(database_file(config))
    with closing(source) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=delete")
    data = bytearray(copy.read_bytes())
    for page in range(1, len(data) // 4096):  # scramble every b-tree header but the schema
        data[page * 4096 : page * 4096 + 8] = b"\x07" * 8
    copy.write_bytes(bytes(data))
    bad = sqlite_archive(tmp_path, tmp_path / "x-2026-01-01T000000.tar.gz", copy, ["001_initial"])
    before = digest(database_file(config))
    with pytest.raises(BackupError, match=r"failed verification: .*(integrity|malformed)"):
        restore_database(config, bad)
    assert digest(database_file(config)) == before


@sqlite_only
def test_a_database_without_migration_history_is_refused(config, tmp_path):
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
    bad = sqlite_archive(tmp_path, tmp_path / "x-2026-01-01T000000.tar.gz", other, [])
    with pytest.raises(BackupError, match="no migratehistory table"):
        restore_database(config, bad)


@sqlite_only
def test_a_backup_from_newer_code_is_refused(config, tmp_path):
    copy = tmp_path / "copy.db"
    with closing(sqlite3.connect(database_file(config))) as connection:
        future = "INSERT INTO migratehistory (name, migrated_at) VALUES ('999_future', 0)"
        connection.execute(future)
        connection.commit()
        connection.backup(closing_target := sqlite3.connect(copy))
        closing_target.close()
        names = [r[0] for r in connection.execute("SELECT name FROM migratehistory ORDER BY id")]
    bad = sqlite_archive(tmp_path, tmp_path / "x-2026-01-01T000000.tar.gz", copy, names)
    with pytest.raises(BackupError, match=r"newer code .*999_future"):
        restore_database(config, bad)


def test_a_backup_failing_verification_is_recorded_and_not_counted(config, monkeypatch):
    good = run_backup(config)
    monkeypatch.setattr(
        "project.backup.service.verification_failure", lambda path, config: "integrity check: x"
    )
    bad = run_backup(config)
    assert not bad.good and bad.detail == "integrity check: x"
    folder = good.path.parent
    assert newest_good(folder).path == good.path
    listed = {entry.path: entry.state for entry in entries(folder)}
    assert listed == {good.path: GOOD, bad.path: FAILED}
    with pytest.raises(BackupError, match="failed verification: integrity check: x"):
        run_scheduled_backup(config)


def test_the_secret_key_is_included_only_when_asked(config):
    key = Path(config["VAR_DIR"]) / "secret_key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text("k" * 48)
    (Path(config["VAR_DIR"]) / "deploy.json").write_text('{"port": 8123}')
    import tarfile

    with tarfile.open(run_backup(config).path) as without:
        assert "deploy.json" in without.getnames() and "secret_key" not in without.getnames()
    with tarfile.open(run_backup(config, with_secret_key=True).path) as with_key:
        assert with_key.extractfile("secret_key").read() == b"k" * 48


def test_settings_and_key_are_restored_only_where_missing(config):
    var = Path(config["VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    (var / "secret_key").write_text("old-key" * 8)
    (var / "deploy.json").write_text('{"port": 8123}')
    path = run_backup(config, with_secret_key=True).path
    (var / "deploy.json").unlink()
    (var / "secret_key").write_text("new-key" * 8)
    report = restore_database(config, path)
    assert json.loads((var / "deploy.json").read_text()) == {"port": 8123}
    assert stat.S_IMODE((var / "deploy.json").stat().st_mode) == 0o600
    assert (var / "secret_key").read_text() == "new-key" * 8
    assert report.restored_extras == [str(var / "deploy.json")]


def test_the_job_queue_store_is_backed_up_when_it_exists(config):
    import tarfile

    jobs = Path(config["VAR_DIR"]) / "data" / "jobs.db"
    jobs.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(jobs)) as connection:
        connection.execute("PRAGMA journal_mode=wal")
        connection.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, data BLOB)")
        connection.execute("INSERT INTO task (data) VALUES (x'01')")
        connection.commit()
        result = run_backup(config)
    assert result.good, result.detail
    with tarfile.open(result.path) as archive:
        assert "jobs.db" in archive.getnames()


def test_a_good_backup_is_uploaded_with_its_path(config, tmp_path):
    copied = tmp_path / "offsite.tar.gz"
    script = f"import shutil, sys; shutil.copy(sys.argv[1], {json.dumps(str(copied))})"
    config["BACKUP_UPLOAD_CMD"] = f"{sys.executable} -c '{script}'"
    result = run_backup(config)
    assert result.uploaded and result.upload_error == ""
    assert copied.read_bytes() == result.path.read_bytes()
    assert read_verdict(result.path)["upload"] == "ok"


def test_a_failing_upload_is_reported_never_silent(config):
    config["BACKUP_UPLOAD_CMD"] = f"{sys.executable} -c 'import sys; sys.exit(\"bucket gone\")'"
    result = run_backup(config)
    assert result.good and not result.uploaded
    assert result.upload_error == "upload command exited 1: bucket gone"
    assert read_verdict(result.path)["upload"] == result.upload_error
    with pytest.raises(BackupError, match="is good but upload command exited 1"):
        run_scheduled_backup(config)
    config["BACKUP_UPLOAD_CMD"] = "/nonexistent/rclone copy"
    assert run_backup(config).upload_error == "upload command not found: /nonexistent/rclone"


def test_a_missing_file_is_one_line(config, tmp_path):
    with pytest.raises(BackupError, match="no backup file at"):
        restore_database(config, tmp_path / "nope.tar.gz")


def test_a_postgres_backup_is_refused_by_a_sqlite_site(config, tmp_path):
    if TEST_DATABASE_URL:
        pytest.skip("the site is PostgreSQL here")
    staging = tmp_path / "s"
    staging.mkdir()
    (staging / "app.pgdump").write_bytes(b"PGDMP junk")
    bad = tmp_path / "x-2026-01-01T000000.tar.gz"
    write_archive(bad, staging, {"database": "postgresql", "migrations": ["001_initial"]})
    with pytest.raises(BackupError, match="failed verification: pg_restore --list"):
        restore_database(config, bad)


@sqlite_only
def test_a_damaged_current_database_is_still_set_aside_by_a_restore(app, config):
    result = run_backup(config)
    close_all(db)
    current = database_file(config)
    current.write_bytes(b"garbage, not a database" * 100)
    report = restore_database(config, result.path)
    assert report.kept[0].read_bytes() == b"garbage, not a database" * 100
    assert len(titles(app)) == 25
