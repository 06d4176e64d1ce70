"""Second factor rules: enrolment, checking a code once, recovery codes, turning it off.

An authenticator code (RFC 6238, 30-second steps) is accepted for the current step or one
step either side (clock drift), and only for a step later than the last one accepted, so a
code seen over someone's shoulder cannot be replayed. Wrong codes count as failed logins in
the database throttle of the account, so six digits cannot be guessed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, has_request_context
from flask_babel import gettext as _

from ..auth import devices, service, throttle
from ..models import User, utcnow
from ..user_errors import UserError
from .models import Passkey, RecoveryCode, TotpSecret

log = logging.getLogger(__name__)

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


class WrongCode(UserError):
    """The code is wrong, used already, or not of the expected form."""


class TwoFactorError(UserError):
    """The requested change does not apply in the account's current state."""


def cipher() -> Fernet:
    """Fernet keyed from the app's secret key (HKDF): a copied database alone reveals no secret.

    Rotating SECRET_KEY therefore voids every enrolment: users enrol again (README)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"totp-secret").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return cipher().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise TwoFactorError(
            _("the stored secret cannot be read (was the secret key changed?)")
        ) from None


def record_of(user: User) -> TotpSecret | None:
    return TotpSecret.get_or_none(TotpSecret.user == user.id)


def is_enabled(user: User) -> bool:
    record = record_of(user)
    return record is not None and record.confirmed_at is not None


def start_enrolment(user: User) -> str:
    """A fresh secret, stored unconfirmed (replacing an unfinished enrolment); returns it."""
    if is_enabled(user):
        raise TwoFactorError(_("two-factor sign-in is already on: turn it off first"))
    TotpSecret.delete().where(TotpSecret.user == user.id).execute()
    secret = pyotp.random_base32()
    TotpSecret.create(user=user.id, secret_encrypted=encrypt(secret))
    return secret


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment that is not confirmed yet (shown until it is)."""
    record = record_of(user)
    if record is None or record.confirmed_at is not None:
        return None
    return decrypt(record.secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["SITE_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code: no script, no image request."""
    import segno  # only the enrolment page draws a QR code; not in every worker at boot

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2328", light="#ffffff")


def normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (current or ±1) whose code equals `code`, if any."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def use_totp(record: TotpSecret, code: str, now: float) -> bool:
    """Accept `code` once: the step must be later than the last accepted (atomic update)."""
    step = matching_step(decrypt(record.secret_encrypted), code, now)
    if step is None:
        return False
    claimed = (
        TotpSecret.update(last_used_step=step)
        .where((TotpSecret.id == record.id) & (TotpSecret.last_used_step < step))
        .execute()
    )
    return claimed == 1


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code (atomic: two requests cannot both spend it)."""
    spent = (
        RecoveryCode.update(used_at=utcnow())
        .where(
            (RecoveryCode.user == user.id)
            & (RecoveryCode.code_hash == code_hash(code))
            & RecoveryCode.used_at.is_null()
        )
        .execute()
    )
    return spent == 1


def verify(user: User, code: str, client_ip: str | None, now: float | None = None) -> str:
    """Check a second-factor code; returns "totp" or "recovery". Raises Throttled or WrongCode.

    The throttle is checked first, and every wrong code counts as a failed login; a browser
    with the account's device cookie is counted on its own (strangers failing on the account
    must not block its owner's code step either)."""
    device = this_device(user)
    throttle.check(user.email, client_ip, device)
    record = record_of(user)
    now = time.time() if now is None else now
    cleaned = normalize(code or "")
    if record is not None and record.confirmed_at is not None and cleaned:
        if use_totp(record, cleaned, now):
            return "totp"
        if use_recovery_code(user, cleaned):
            log.info("recovery code used by user %s (%d left)", user.id, recovery_codes_left(user))
            return "recovery"
    throttle.record_failure(user.email, client_ip, device)
    raise WrongCode(_("that code is not valid (or was used already)"))


def this_device(user: User) -> str | None:
    """The nonce of this request's device cookie for the account (auth/devices.py), if any."""
    return devices.device_for(user.email) if has_request_context() else None


def confirm_enrolment(user: User, code: str, client_ip: str | None, now=None) -> list[str]:
    """Switch two-factor on once the user typed a code of the new secret; returns the
    recovery codes, shown once."""
    throttle.check(user.email, client_ip)
    record = record_of(user)
    if record is None or record.confirmed_at is not None:
        raise TwoFactorError(_("no enrolment is under way: start again"))
    now = time.time() if now is None else now
    if not use_totp(record, normalize(code or ""), now):
        throttle.record_failure(user.email, client_ip)
        raise WrongCode(_("that code does not match: check the time on your phone and try again"))
    TotpSecret.update(confirmed_at=utcnow()).where(TotpSecret.id == record.id).execute()
    log.info("two-factor sign-in turned on for user %s", user.id)
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh single-use codes; the old set stops working."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    RecoveryCode.insert_many(
        [{"user": user.id, "code_hash": code_hash(c)} for c in codes]
    ).execute()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_codes_left(user: User) -> int:
    query = RecoveryCode.select().where(
        (RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()
    )
    return query.count()


def disable(user: User, password: str, code: str, client_ip: str | None) -> None:
    """Turn it off: needs the password and a current code (a stolen session alone cannot)."""
    service.check_current_password(user, password, client_ip)
    verify(user, code, client_ip)
    remove(user)
    log.info("two-factor sign-in turned off for user %s", user.id)


def remove(user: User) -> None:
    """Every second factor of the user: the app secret, recovery codes and passkeys."""
    Passkey.delete().where(Passkey.user == user.id).execute()
    TotpSecret.delete().where(TotpSecret.user == user.id).execute()
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()


def reset_by_admin(admin: User, user: User) -> None:
    """An admin clears a user's second factor (lost phone and codes); audited in the app log."""
    remove(user)
    service.end_all_sessions(user)
    log.warning("admin %s reset the second factor of user %s", admin.id, user.id)
