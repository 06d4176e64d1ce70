"""Each user's language (pages after login, and every mail to them, even from the worker).

A nullable column: existing accounts keep what their browser asks for until they choose.
Plain ALTER TABLE, as in 006: peewee's SQLite migrator would rebuild `users`.
"""


def migrate(migrator, database, *, fake=False):
    migrator.sql("ALTER TABLE users ADD COLUMN locale VARCHAR(16)")


def rollback(migrator, database, *, fake=False):
    migrator.sql("ALTER TABLE users DROP COLUMN locale")  # SQLite >= 3.35
