"""What a second factor stores: the authenticator secret (encrypted) and recovery codes (hashed)."""

from __future__ import annotations

import peewee

from ..models import BaseModel, User, utcnow


class TotpSecret(BaseModel):
    """One authenticator app per user; active once `confirmed_at` is set (a code was typed)."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", unique=True)
    secret_encrypted = peewee.TextField()
    confirmed_at = peewee.DateTimeField(null=True)
    # The highest 30-second step a code was accepted for: a code is never accepted twice.
    last_used_step = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "totp_secrets"


class RecoveryCode(BaseModel):
    """A single-use code for a lost phone; only its SHA-256 is kept."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    code_hash = peewee.CharField(max_length=64)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "recovery_codes"
        indexes = ((("user", "code_hash"), True),)


class Passkey(BaseModel):
    """A WebAuthn credential registered by the user; the private key never leaves the device."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    credential_id = peewee.CharField(max_length=1400, unique=True)  # base64url
    public_key = peewee.TextField()  # base64url COSE key
    sign_count = peewee.BigIntegerField(default=0)
    name = peewee.CharField(max_length=60)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "passkeys"
