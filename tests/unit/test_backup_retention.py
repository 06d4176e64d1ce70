"""Retention: the newest backup of each of the last N days and M weeks; failures swept later."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from project.backup.catalog import FAILED, GOOD, entries, write_verdict
from project.backup.retention import kept_stamps, prune

START = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # a Monday


def nightly(days: int, per_day: int = 1) -> list[datetime]:
    return [START + timedelta(days=d, hours=h) for d in range(days) for h in range(per_day)]


def test_keeps_the_newest_of_each_recent_day():
    stamps = nightly(10, per_day=2)
    kept = kept_stamps(stamps, daily=3, weekly=0)
    assert kept == {START + timedelta(days=d, hours=1) for d in (7, 8, 9)}


def test_keeps_the_newest_of_each_recent_week_too():
    stamps = nightly(28)
    kept = kept_stamps(stamps, daily=2, weekly=3)
    sundays = {START + timedelta(days=d) for d in (13, 20)}  # weeks 2 and 3 end on a Sunday
    assert kept == {START + timedelta(days=27), START + timedelta(days=26)} | sundays


def test_the_newest_backup_is_always_kept():
    assert kept_stamps(nightly(3), daily=0, weekly=0) == {START + timedelta(days=2)}


def make(folder: Path, stamp: datetime, state: str) -> Path:
    path = folder / f"proj-{stamp:%Y-%m-%dT%H%M%S}.tar.gz"
    path.write_bytes(b"x")
    write_verdict(path, {"state": state})
    return path


def test_prune_removes_old_good_ones_and_failures_older_than_the_newest_good(tmp_path):
    old_good = [make(tmp_path, stamp, GOOD) for stamp in nightly(5)]
    failed_before = make(tmp_path, START + timedelta(days=3, hours=5), FAILED)
    failed_after = make(tmp_path, START + timedelta(days=6), FAILED)
    removed = {entry.path for entry in prune(tmp_path, daily=2, weekly=0)}
    assert removed == {*old_good[:3], failed_before}
    assert {entry.path for entry in entries(tmp_path)} == {*old_good[3:], failed_after}
    assert not (tmp_path / (failed_before.name + ".verdict.json")).exists()


def test_prune_without_any_good_backup_removes_nothing(tmp_path):
    make(tmp_path, START, FAILED)
    assert prune(tmp_path, daily=1, weekly=0) == []
    assert len(entries(tmp_path)) == 1
