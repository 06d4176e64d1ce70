"""Server-side login sessions, and the counters behind the mail and registration limits.

Cookies issued before this migration name no login session, so everyone logs in once more.
"""

import datetime as dt

import peewee as pw


def migrate(migrator, database, *, fake=False):
    users = migrator.orm["users"]

    @migrator.create_model
    class LoginSession(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(users, backref="login_sessions", on_delete="CASCADE")
        key_hash = pw.CharField(max_length=64, unique=True)
        remember = pw.BooleanField(default=False)
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)
        last_seen_at = pw.DateTimeField(default=dt.datetime.utcnow)
        client_address = pw.CharField(max_length=64, default="")
        user_agent = pw.CharField(max_length=255, default="")

        class Meta:
            table_name = "login_sessions"

    @migrator.create_model
    class LimitEvent(pw.Model):
        id = pw.AutoField()
        scope = pw.CharField(max_length=20)
        key = pw.CharField(max_length=254)
        at = pw.DateTimeField(default=dt.datetime.utcnow, index=True)

        class Meta:
            table_name = "limit_events"
            indexes = ((("scope", "key", "at"), False),)


def rollback(migrator, database, *, fake=False):
    migrator.remove_model("limit_events")
    migrator.remove_model("login_sessions")
