"""Initial schema: users."""

import datetime as dt

import peewee as pw


def migrate(migrator, database, *, fake=False):
    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        email = pw.CharField(max_length=254, unique=True)
        password_hash = pw.CharField(max_length=255)
        role = pw.CharField(max_length=20, default="user")
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)

        class Meta:
            table_name = "users"


def rollback(migrator, database, *, fake=False):
    migrator.remove_model("users")
