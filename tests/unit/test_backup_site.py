"""The operator's side of backups: restore over a site, --list, status and check lines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from devkit.testapp import TEST_DATABASE_URL, migrated_up_to
from project.backup import BackupError, site
from project.backup.catalog import write_verdict
from project.backup.service import run_backup
from project.deploy import control
from project.deploy.settings import DeploySettings
from project.extensions import db
from project.migrate import MIGRATIONS_DIR, apply_pending

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
# What a restore of a backup taken at 003 applies: every later migration the code has.
AFTER_003 = ", ".join(
    sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py") if p.stem > "003_api")
)


@pytest.fixture
def settings(tmp_path, monkeypatch, database_url) -> DeploySettings:
    """A stopped site on its own database and runtime folder."""
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    return DeploySettings(
        config_name="test",
        environment={"APP_DATABASE_URL": database_url},
        var_dir=str(tmp_path / "var"),
    )


@pytest.fixture
def old_backup(settings, database_url) -> Path:
    """A backup taken when the schema stopped at 003; the live database then moves on."""
    with migrated_up_to("003_api", database_url):
        db.close()
        path = run_backup(site.site_config(settings)).path
        apply_pending()
    return path


def test_an_older_backup_is_migrated_forward_after_the_restore(settings, old_backup):
    said = []
    site.restore_site(settings, old_backup, stop=False, say=said.append)
    assert said[0] == f"restored {old_backup.name}; migrated forward: {AFTER_003}"


def test_a_running_site_is_refused_without_stop(settings, old_backup, monkeypatch):
    monkeypatch.setattr(control, "is_running", lambda settings: True)
    with pytest.raises(BackupError, match=r"site is running: `scripts/ctl restore --stop FILE`"):
        site.restore_site(settings, old_backup, stop=False, say=print)


def test_stop_happens_only_after_the_file_passed_and_the_site_starts_again(
    settings, old_backup, monkeypatch
):
    calls = []
    monkeypatch.setattr(control, "is_running", lambda settings: True)
    monkeypatch.setattr(control, "stop", lambda settings: calls.append("stop") or "stopped")
    monkeypatch.setattr(control, "start", lambda settings: calls.append("start") or "running")
    bad = old_backup.with_name("bad-2026-01-01T000000.tar.gz")
    bad.write_bytes(old_backup.read_bytes()[:100])
    with pytest.raises(BackupError, match=r"failed verification: .*; nothing was changed$"):
        site.restore_site(settings, bad, stop=True, say=print)
    assert calls == []
    said = []
    site.restore_site(settings, old_backup, stop=True, say=said.append)
    assert calls == ["stop", "start"]
    restored = f"restored {old_backup.name}; migrated forward: {AFTER_003}"
    assert said == ["stopped", restored, "running"]


def fake_backup(folder: Path, age: timedelta, verdict: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"proj-{NOW - age:%Y-%m-%dT%H%M%S}.tar.gz"
    path.write_bytes(b"x" * 2048)
    write_verdict(path, verdict)
    return path


def test_listing_shows_size_age_and_verification(tmp_path):
    config = {"BACKUP_DIR": str(tmp_path), "VAR_DIR": str(tmp_path)}
    fake_backup(tmp_path, timedelta(hours=3), {"state": "failed", "detail": "integrity check: x"})
    fake_backup(tmp_path, timedelta(days=2, hours=1), {"state": "ok", "upload": "ok"})
    lines = site.listing(config, now=NOW).splitlines()
    assert lines[0].split() == ["backup", "size", "age", "verification"]
    assert lines[1].split()[1:] == ["2.0", "KB", "3h00m", "failed:", "integrity", "check:", "x"]
    assert lines[2].split()[1:] == ["2.0", "KB", "2d01h", "ok;", "uploaded"]


def test_status_names_the_newest_good_backup_and_check_warns_when_stale(tmp_path):
    config = {"BACKUP_DIR": str(tmp_path), "VAR_DIR": str(tmp_path)}
    assert site.status_line(config, now=NOW).endswith("none good yet (scripts/ctl backup)")
    assert site.findings(config, now=NOW)[0][0] == "warning"
    fake_backup(tmp_path, timedelta(hours=1), {"state": "failed", "detail": "x"})
    good = fake_backup(tmp_path, timedelta(hours=30), {"state": "ok", "upload": "exited 2"})
    assert site.status_line(config, now=NOW).endswith(f"newest good 30h00m ago ({good.name})")
    assert site.findings(config, now=NOW) == [
        ("ok", "newest good backup 30h00m old"),
        ("warning", "newest backup not copied off-host: exited 2"),
    ]
    stale = site.findings(config, now=NOW + timedelta(hours=7))[0]
    assert stale == ("warning", "newest good backup is 37h00m old: is the nightly job running?")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL")
def test_a_sqlite_backup_is_refused_by_a_postgres_site(settings, tmp_path, app):
    sqlite_url = f"sqlite:///{tmp_path / 'other.db'}"
    with migrated_up_to("004_email", sqlite_url):
        db.close()
        other = run_backup({**app.config, "DATABASE_URL": sqlite_url}).path
    with pytest.raises(BackupError, match="holds a sqlite database; this site uses postgresql"):
        site.restore_site(settings, other, stop=False, say=print)


def test_a_restore_failing_after_the_stop_starts_the_site_again(settings, old_backup, monkeypatch):
    calls = []
    monkeypatch.setattr(control, "is_running", lambda settings: True)
    monkeypatch.setattr(control, "stop", lambda settings: calls.append("stop") or "stopped")
    monkeypatch.setattr(control, "start", lambda settings: calls.append("start") or "running")

    def fails(*args):
        raise BackupError("restore failed, the previous database is back: pg_restore failed: x")

    monkeypatch.setattr("project.backup.restore.replace_file", fails)
    monkeypatch.setattr("project.backup.restore.replace_postgres", fails)
    with pytest.raises(BackupError, match="the previous database is back"):
        site.restore_site(settings, old_backup, stop=True, say=print)
    assert calls == ["stop", "start"]
