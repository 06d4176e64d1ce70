"""JSON API: notes owned by users, and hashed bearer tokens."""

import datetime as dt

import peewee as pw


def migrate(migrator, database, *, fake=False):
    users = migrator.orm["users"]

    @migrator.create_model
    class Note(pw.Model):
        id = pw.AutoField()
        owner = pw.ForeignKeyField(users, backref="notes", on_delete="CASCADE", index=False)
        title = pw.CharField(max_length=200)
        body = pw.TextField(default="")
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)
        updated_at = pw.DateTimeField(default=dt.datetime.utcnow)

        class Meta:
            table_name = "notes"
            indexes = ((("owner", "id"), False),)

    @migrator.create_model
    class ApiToken(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(users, backref="api_tokens", on_delete="CASCADE")
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)
        expires_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked = pw.BooleanField(default=False)

        class Meta:
            table_name = "api_tokens"


def rollback(migrator, database, *, fake=False):
    migrator.remove_model("api_tokens")
    migrator.remove_model("notes")
