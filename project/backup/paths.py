"""The files a backup reads besides the database, named by the deploy layout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..deploy.layout import PROJECT_ROOT, Layout


def project_name() -> str:
    """The `<name>` in backup file names: the project folder's name, as supervisord uses."""
    return PROJECT_ROOT.name


def layout(config) -> Layout:
    """The layout of the site whose loaded config this is (its VAR_DIR)."""
    return Layout(PROJECT_ROOT, Path(config["VAR_DIR"]))


def jobs_db_file(config) -> Path:
    return layout(config).jobs_db


def settings_file(config) -> Path:
    return layout(config).deploy_settings


def secret_key_file(config) -> Path:
    return layout(config).secret_key


def copy_private(source: Path, dest: Path) -> None:
    """Copy a file that may hold secrets; it is 0600 from its first byte."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
