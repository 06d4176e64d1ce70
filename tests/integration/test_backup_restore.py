"""Backups of a live site: 8 API clients write while `ctl backup` runs; the backup restores
into a fresh copy with every note acknowledged before it started; damaged files are refused.
Run on the embedded SQLite and on PostgreSQL (fresh databases of its own)."""

from __future__ import annotations

import re
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.polling import wait_until
from devkit.sandbox import copy_project
from devkit.services import postgres_admin_connection, postgres_url
from devkit.writers import Writers, api

pytestmark = pytest.mark.integration

EMAIL, PASSWORD = "keeper@example.com", "lantern-quarry-47"


@pytest.fixture(params=["sqlite", "postgresql"])
def sites(request, tmp_path):
    """(kind, live, fresh): two copies of the project, each on its own database."""
    envs, names, admin = [{}, {}], [], None
    if request.param == "postgresql":
        admin = postgres_admin_connection()
        names = [f"backups_it_{secrets.token_hex(4)}" for _ in range(2)]
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'CREATE DATABASE "{name}"')
        envs = [{"APP_DATABASE_URL": postgres_url(n)} for n in names]
    live = Bundle(copy_project(tmp_path / "live"), env=envs[0])
    fresh = Bundle(copy_project(tmp_path / "fresh"), env=envs[1])
    try:
        yield request.param, live, fresh
    finally:
        live.cleanup()
        fresh.cleanup()
        if admin is not None:
            with admin.cursor() as cursor:
                for name in names:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def titles(bundle: Bundle, kind: str) -> list[str]:
    if kind == "sqlite":
        with closing(sqlite3.connect(bundle.root / "var" / "data" / "app.db")) as connection:
            return [row[0] for row in connection.execute("SELECT title FROM notes")]
    import psycopg2

    connection = psycopg2.connect(bundle.env["APP_DATABASE_URL"])
    with closing(connection), connection.cursor() as cursor:
        cursor.execute("SELECT title FROM notes")
        return [row[0] for row in cursor.fetchall()]


ORPHAN_NOTES = "SELECT count(*) FROM notes WHERE owner_id NOT IN (SELECT id FROM users)"


def integrity(bundle: Bundle, kind: str) -> str:
    """SQLite's integrity check; on PostgreSQL no note lost its owner (foreign keys held)."""
    if kind == "sqlite":
        with closing(sqlite3.connect(bundle.root / "var" / "data" / "app.db")) as connection:
            return connection.execute("PRAGMA integrity_check").fetchone()[0]
    import psycopg2

    connection = psycopg2.connect(bundle.env["APP_DATABASE_URL"])
    with closing(connection), connection.cursor() as cursor:
        cursor.execute(ORPHAN_NOTES)
        return "ok" if cursor.fetchone()[0] == 0 else "orphan notes"


def log_in(bundle: Bundle) -> tuple[int, dict]:
    return api(bundle.port, "POST", "/api/v1/tokens", {"email": EMAIL, "password": PASSWORD})


def back_up_under_load(live: Bundle) -> tuple[Path, list[str], Writers]:
    """Back up while 8 clients write; returns the file, the titles acknowledged before it."""
    live.start("--workers", "3")
    live.ctl("create-user", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    status, body = log_in(live)
    assert status == 201, body
    with Writers(live.port, body["token"], clients=8) as writers:
        wait_until(lambda: len(writers.created) >= 100, timeout=60)
        with writers.lock:
            acknowledged = list(writers.created)
        output = live.ctl("backup").stdout
    assert writers.other == []
    assert len(writers.created) > len(acknowledged)  # the writers went on meanwhile
    path = Path(re.search(r"^backup (\S+) .* verified$", output, re.M).group(1))
    return path, acknowledged, writers


def test_a_backup_under_write_load_restores_into_a_fresh_copy(sites):
    kind, live, fresh = sites
    path, acknowledged, writers = back_up_under_load(live)
    assert live.ctl("backup", "--list").stdout.splitlines()[1].split()[-1] == "ok"
    status_text = live.ctl("status").stdout
    assert re.search(
        rf"^backup +newest good \d+m ago \({re.escape(path.name)}\)$", status_text, re.M
    )
    assert re.search(
        r"^ok +newest good backup \d+m old$", live.ctl("check", check=False).stdout, re.M
    )

    fresh.ctl("restore", str(path))
    fresh.start()
    restored = titles(fresh, kind)
    assert set(acknowledged) <= set(restored) <= set(writers.created)
    assert integrity(fresh, kind) == "ok"
    status, body = log_in(fresh)
    assert status == 201
    # Writable, ids going on from the restored ones (PostgreSQL: the sequences came along).
    status, note = api(fresh.port, "POST", "/api/v1/notes", {"title": "after"}, body["token"])
    assert status == 201, note

    damaged = path.with_name("damaged-2026-01-01T000000.tar.gz")
    damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    before = sorted(titles(live, kind))
    refused = live.ctl("restore", "--stop", str(damaged), check=False)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "failed verification" in refused.stderr
    assert live.get("/healthz")[0] == 200  # not stopped for a file that fails
    assert sorted(titles(live, kind)) == before

    running = live.ctl("restore", str(path), check=False)
    assert running.returncode == 1 and "site is running" in running.stderr
    live.ctl("restore", "--stop", str(path), timeout=180)
    assert live.get("/healthz")[0] == 200
    assert sorted(titles(live, kind)) == sorted(restored)
