"""`ctl start` skips the migration child only when the SQLite file has every migration."""

import sqlite3

import pytest

from devkit.testapp import TEST_DATABASE_URL
from project.config import PROJECT_ROOT
from project.deploy.layout import Layout
from project.deploy.schema import is_current
from project.migrate import MIGRATIONS_DIR

NAMES = ("001_initial", "002_accounts")


@pytest.fixture
def folder(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for name in (*NAMES, "__init__"):
        (migrations / f"{name}.py").write_text("")
    return migrations


def database(path, applied):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE migratehistory (id INTEGER PRIMARY KEY, name TEXT)")
    connection.executemany("INSERT INTO migratehistory (name) VALUES (?)", [(n,) for n in applied])
    connection.commit()
    connection.close()


def test_every_migration_applied_is_current(tmp_path, folder):
    database(tmp_path / "app.db", NAMES)
    assert is_current(f"sqlite:///{tmp_path / 'app.db'}", folder, tmp_path)


def test_a_pending_migration_is_not(tmp_path, folder):
    database(tmp_path / "app.db", NAMES[:1])
    assert not is_current(f"sqlite:///{tmp_path / 'app.db'}", folder, tmp_path)


def test_a_relative_path_is_read_from_the_project_root(tmp_path, folder):
    database(tmp_path / "app.db", NAMES)
    assert is_current("sqlite:///app.db", folder, tmp_path)
    assert not is_current("sqlite:///app.db", folder, folder)


@pytest.mark.parametrize(
    "url", ["postgresql://u@127.0.0.1/db", "sqlite:///:memory:", "sqlite:///missing.db"]
)
def test_anything_but_an_existing_sqlite_file_runs_the_child(tmp_path, folder, url):
    assert not is_current(url, folder, tmp_path)


def test_no_history_table_or_no_database_file_is_not_current(tmp_path, folder):
    sqlite3.connect(tmp_path / "empty.db").close()
    (tmp_path / "garbage.db").write_bytes(b"not a database at all, but long enough" * 40)
    assert not is_current(f"sqlite:///{tmp_path / 'empty.db'}", folder, tmp_path)
    assert not is_current(f"sqlite:///{tmp_path / 'garbage.db'}", folder, tmp_path)


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="reads the SQLite file the app migrated")
def test_the_apps_own_migrated_database_is_current(app, tmp_path):
    layout = Layout(PROJECT_ROOT, tmp_path / "var")
    assert layout.migrations_dir == MIGRATIONS_DIR  # the folder start reads is migrate's
    assert is_current(app.config["DATABASE_URL"], layout.migrations_dir, PROJECT_ROOT)
    (tmp_path / "999_next.py").write_text("")  # a new release's migration, not applied yet
    pending = tmp_path / "migrations"
    pending.mkdir()
    for path in [*MIGRATIONS_DIR.glob("*.py"), tmp_path / "999_next.py"]:
        (pending / path.name).write_text("")
    assert not is_current(app.config["DATABASE_URL"], pending, PROJECT_ROOT)
