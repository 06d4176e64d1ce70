"""marshmallow schemas: they validate requests and are the OpenAPI document's components."""

from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import fields, validate

from ..auth.service import MAX_PASSWORD_LENGTH
from ..models import (
    EMAIL_MAX,
    MAX_ID,
    NOTE_BODY_MAX,
    NOTE_TITLE_MAX,
    NUL_FREE,
    TITLE_PATTERN,
    is_blank,
)

# Refusing NUL up front keeps it a 422, never a 500 (see NUL_FREE in models.py).
NO_NUL = validate.Regexp(NUL_FREE, error="must not contain NUL characters")


class Text(fields.String):
    """A string that the database can store: no NUL, no lone UTF-16 surrogates."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("must be valid Unicode text") from None
        return text


class UTCDateTime(fields.DateTime):
    """Naive UTC datetimes from the database, written as RFC 3339 with an offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class ErrorDetailSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "validation_failed"})
    message = fields.String(required=True)
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        metadata={"description": "Messages per request field (400, 422)"},
    )
    request_id = fields.String(
        required=True,
        metadata={"description": "The response's X-Request-ID: quote it when reporting a problem"},
    )


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class TokenRequestSchema(ma.Schema):
    email = Text(required=True, validate=[validate.Length(min=1, max=EMAIL_MAX), NO_NUL])
    password = Text(
        required=True,
        load_only=True,
        validate=[validate.Length(min=1, max=MAX_PASSWORD_LENGTH), NO_NUL],
    )
    otp = Text(
        load_only=True,
        validate=[validate.Length(min=1, max=32), NO_NUL],
        metadata={"description": "A current code (or a recovery code) if two-factor sign-in is on"},
    )


class TokenSchema(ma.Schema):
    token = fields.String(required=True, metadata={"description": "Send as `Bearer <token>`"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = UTCDateTime(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds"})


class TokenInfoSchema(ma.Schema):
    """A live token as its owner sees it: never the secret (only its hash is kept)."""

    id = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    last_used_at = UTCDateTime(
        required=True, allow_none=True, metadata={"description": "Null: never used"}
    )
    expires_at = UTCDateTime(required=True)
    current = fields.Boolean(
        required=True, metadata={"description": "True for the token this request was made with"}
    )


class TokenListSchema(ma.Schema):
    items = fields.List(fields.Nested(TokenInfoSchema), required=True)


class UserSchema(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    created_at = UTCDateTime(required=True)


def not_blank(value: str) -> None:
    if is_blank(value):
        raise ma.ValidationError("must not be blank")


TITLE_RULES = [validate.Length(min=1, max=NOTE_TITLE_MAX), not_blank, NO_NUL]
BODY_RULES = [validate.Length(max=NOTE_BODY_MAX), NO_NUL]


class NoteSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


# The validators give each mistake its own message; the document states them as one pattern.
TITLE_DOCUMENTED = {"pattern": TITLE_PATTERN}


class NoteCreateSchema(ma.Schema):
    title = Text(required=True, validate=TITLE_RULES, metadata=TITLE_DOCUMENTED)
    body = Text(load_default="", validate=BODY_RULES)


class NoteUpdateSchema(ma.Schema):
    """PATCH: any subset of the writable fields."""

    title = Text(validate=TITLE_RULES, metadata=TITLE_DOCUMENTED)
    body = Text(validate=BODY_RULES)


class NoteListArgsSchema(ma.Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "`next_cursor` of the previous page"},
    )


class NotePageSchema(ma.Schema):
    items = fields.List(fields.Nested(NoteSchema), required=True)
    next_cursor = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last page"},
    )

    def dump(self, obj, *, many=None):
        """A page of notes without marshmallow's per-field walk (the hot list endpoint).

        Gives exactly what the fields above give (tests/unit/test_note_page_dump.py compares the
        two); any other use of the schema (many, only, exclude) goes through marshmallow.
        """
        if many or self.many or self.only or self.exclude or not isinstance(obj, dict):
            return super().dump(obj, many=many)
        cursor = obj["next_cursor"]
        return {
            "items": [note_dict(note) for note in obj["items"]],
            "next_cursor": None if cursor is None else int(cursor),
        }


def note_dict(note) -> dict:
    """NoteSchema's dump of one note, field for field."""
    return {
        "id": int(note.id),
        "title": str(note.title),
        "body": str(note.body),
        "created_at": utc_iso(note.created_at),
        "updated_at": utc_iso(note.updated_at),
    }


def utc_iso(value) -> str:
    """UTCDateTime's "iso" output: naive values are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()
