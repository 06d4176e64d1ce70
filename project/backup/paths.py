"""The files a backup reads besides the database (runtime paths under var/)."""

from __future__ import annotations

from pathlib import Path

from ..config import PROJECT_ROOT


def project_name() -> str:
    """The `<name>` in backup file names: the project folder's name, as supervisord uses."""
    return PROJECT_ROOT.name


def var(config) -> Path:
    return Path(config["VAR_DIR"])


def jobs_db_file(config) -> Path:
    """The job queue's SQLite store (project/jobs); backed up when it exists."""
    return var(config) / "data" / "jobs.db"


def settings_file(config) -> Path:
    return var(config) / "deploy.json"


def secret_key_file(config) -> Path:
    return var(config) / "secret_key"
