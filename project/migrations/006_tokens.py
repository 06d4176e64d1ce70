"""API tokens end with the credentials they came from: a stamp on the user, copied onto each
token at issue; a password change, reset, "log out everywhere" or disable replaces the user's.

Plain ALTER TABLE, not `add_fields`: for a NOT NULL column peewee's SQLite migrator rebuilds
the table, and dropping the old `users` would cascade to every note and token.
"""

COLUMNS = [("users", "credential_stamp"), ("api_tokens", "stamp")]


def migrate(migrator, database, *, fake=False):
    # Existing rows all get "": tokens issued before this migration keep working until the
    # next credential change of their user.
    for table, column in COLUMNS:
        migrator.sql(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(32) NOT NULL DEFAULT ''")


def rollback(migrator, database, *, fake=False):
    for table, column in reversed(COLUMNS):
        migrator.sql(f"ALTER TABLE {table} DROP COLUMN {column}")  # SQLite >= 3.35
