"""Backups you can restore: `scripts/ctl backup`, `restore`, retention and off-host copies.

A backup is one `<name>-YYYY-MM-DDTHHMMSS.tar.gz` (UTC) under var/backups/ (or APP_BACKUP_DIR):
a consistent snapshot of the database (SQLite online backup, or `pg_dump -Fc`), the job queue's
SQLite store when there is one, the saved deploy flags and, on request, the secret key. Each one
is restored into a scratch database and checked before it counts; the verdict is kept beside it.
Importing this package loads nothing heavy: the verbs import the modules they use.
"""

from ..user_errors import UserError


class BackupError(UserError):
    """A backup or restore step failed; the message is one line for the operator."""
