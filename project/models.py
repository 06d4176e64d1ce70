"""peewee models. The schema is owned by `project/migrations/`; workers never create tables."""

from datetime import datetime, timezone

import peewee

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BaseModel(peewee.Model):
    class Meta:
        database = db


class User(BaseModel):
    email = peewee.CharField(max_length=254, unique=True)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20, default="user")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


MODELS = [User]
