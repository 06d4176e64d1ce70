"""Third-party libraries gunicorn's master imports so that its workers share them.

With `preload_app` off (HUP must load new app code) every worker used to import every library
on its own: ~53 MiB per worker, nearly all of it library code. The master now imports the
libraries below, never app code, and freezes the garbage collector's view of them, so the
forked workers share those pages copy-on-write (measured: ~27 MiB per worker instead).

The price: a library upgraded on disk (`ctl deploy` after requirements changed) stays old in
the master and in every worker it forks. So the master records each module file it holds
(path, mtime, size), and `reload` restarts `web` instead of sending HUP when one changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# Imported by every worker anyway (checked by tests/unit/test_shared_libraries.py); none of
# them imports the app. Libraries only some requests need are imported lazily by the app.
PRELOAD = (
    "flask",
    "flask.json",
    "jinja2",
    "werkzeug",
    "peewee",
    "playhouse.db_url",
    "wtforms",
    "flask_wtf",
    "flask_wtf.csrf",
    "flask_login",
    "flask_babel",
    "babel.support",
    "marshmallow",
    "apispec",
    "flask_smorest",
    "webargs.flaskparser",
    "huey",
    "huey.api",
    "redis",
    "psycopg",
    "prometheus_client",
    "argon2",
    "email_validator",
    "itsdangerous",
    "markupsafe",
    "webassets",
    "flask_mailman",
    "pyotp",
    "cryptography.fernet",
    "click",
    "yaml",
)


def changed_files(record: Path) -> list[str]:
    """Module files the master recorded that are no longer what it loaded (or are gone)."""
    try:
        held = json.loads(record.read_text()).get("libraries", {})
    except (OSError, ValueError):
        return []
    return sorted(path for path, stamp in held.items() if file_stamp(path) != stamp)


def file_stamp(path: str) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_mtime_ns, stat.st_size]
