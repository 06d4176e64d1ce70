"""Two-factor sign-in: an authenticator-app secret per user (encrypted), recovery codes, and
passkeys (WebAuthn credentials)."""

import datetime as dt

import peewee as pw


def migrate(migrator, database, *, fake=False):
    users = migrator.orm["users"]

    @migrator.create_model
    class TotpSecret(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(users, on_delete="CASCADE", unique=True)
        secret_encrypted = pw.TextField()
        confirmed_at = pw.DateTimeField(null=True)
        last_used_step = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)

        class Meta:
            table_name = "totp_secrets"

    @migrator.create_model
    class RecoveryCode(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(users, on_delete="CASCADE")
        code_hash = pw.CharField(max_length=64)
        used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "recovery_codes"
            indexes = ((("user", "code_hash"), True),)

    @migrator.create_model
    class Passkey(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(users, on_delete="CASCADE")
        credential_id = pw.CharField(max_length=1400, unique=True)
        public_key = pw.TextField()
        sign_count = pw.BigIntegerField(default=0)
        name = pw.CharField(max_length=60)
        created_at = pw.DateTimeField(default=dt.datetime.utcnow)
        last_used_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "passkeys"


def rollback(migrator, database, *, fake=False):
    migrator.remove_model("passkeys")
    migrator.remove_model("recovery_codes")
    migrator.remove_model("totp_secrets")
