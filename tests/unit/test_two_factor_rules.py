"""Service-level rules of project/twofactor/service.py that the page tests cannot see: every
change touches only its own user's rows, the address throttle counts too, the key derivation
is pinned. Written for the mutants mutmut left alive (README: mutation testing)."""

from __future__ import annotations

import base64

import pyotp
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from project.auth import throttle
from project.auth.service import Throttled, create_user
from project.models import LoginFailure
from project.twofactor import service
from project.twofactor.models import Passkey, RecoveryCode, TotpSecret

PASSWORD = "violet-harbor-42"
NOW = 1_900_000_000.0  # a fixed instant: codes and steps are deterministic


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def enrolled(email: str) -> tuple:
    user = create_user(email, PASSWORD)
    secret = service.start_enrolment(user)
    codes = service.confirm_enrolment(user, pyotp.TOTP(secret).at(NOW), "10.0.0.1", now=NOW)
    Passkey.create(user=user.id, credential_id=f"cred-{email}", public_key="AAAA", name="key")
    return user, secret, codes


def rows_of(user) -> tuple[int, int, int]:
    return (
        TotpSecret.select().where(TotpSecret.user == user.id).count(),
        RecoveryCode.select().where(RecoveryCode.user == user.id).count(),
        Passkey.select().where(Passkey.user == user.id).count(),
    )


def test_changes_to_one_user_leave_every_other_user_alone(ctx):
    ann, _, _ = enrolled("ann@example.com")
    bob, _, bob_codes = enrolled("bob@example.com")
    carol = create_user("carol@example.com", PASSWORD)
    service.start_enrolment(carol)  # pending, unconfirmed
    service.new_recovery_codes(ann)
    service.use_recovery_code(ann, bob_codes[0])  # bob's code is not ann's
    assert service.recovery_codes_left(bob) == 10
    service.reset_by_admin(carol, ann)
    assert rows_of(ann) == (0, 0, 0)
    assert rows_of(bob) == (1, 10, 1)
    assert service.pending_secret(carol) is not None
    dave = create_user("dave@example.com", PASSWORD)
    dave_secret = service.start_enrolment(dave)
    service.confirm_enrolment(dave, pyotp.TOTP(dave_secret).at(NOW), None, now=NOW)
    assert service.pending_secret(carol) is not None  # confirming dave confirmed nobody else
    assert service.is_enabled(bob)


def test_a_code_for_an_account_without_second_factor_is_simply_wrong(ctx):
    user = create_user("ann@example.com", PASSWORD)
    with pytest.raises(service.WrongCode):
        service.verify(user, "123456", "10.0.0.1", now=NOW)


def test_confirming_twice_is_refused_and_keeps_the_codes(ctx):
    user, secret, codes = enrolled("ann@example.com")
    later = pyotp.TOTP(secret).at(NOW + 30)
    with pytest.raises(service.TwoFactorError):
        service.confirm_enrolment(user, later, None, now=NOW + 30)
    assert service.use_recovery_code(user, codes[3])


def test_confirmation_uses_the_time_it_is_given(ctx):
    user = create_user("ann@example.com", PASSWORD)
    secret = service.start_enrolment(user)
    with pytest.raises(service.WrongCode):  # a code from an hour before NOW is stale at NOW
        service.confirm_enrolment(user, pyotp.TOTP(secret).at(NOW - 3600), None, now=NOW)


def test_wrong_codes_count_for_the_address_as_well(ctx, app):
    user, _, _ = enrolled("ann@example.com")
    with pytest.raises(service.WrongCode):
        service.verify(user, "000000", "192.0.2.7", now=NOW)
    keys = {(row.scope, row.key) for row in LoginFailure.select()}
    assert ("address", "192.0.2.7") in keys and ("account", "ann@example.com") in keys
    for _ in range(app.config["LOGIN_THROTTLE_PER_ADDRESS"]):
        throttle.record_failure(None, "192.0.2.7")
    other, secret, _ = enrolled("bob@example.com")
    with pytest.raises(Throttled):  # the address is over its limit, whatever the account
        service.verify(other, pyotp.TOTP(secret).at(NOW + 30), "192.0.2.7", now=NOW + 30)


def test_disable_checks_password_and_code_from_the_callers_address(ctx, app):
    user, secret, _ = enrolled("ann@example.com")
    for _ in range(app.config["LOGIN_THROTTLE_PER_ADDRESS"]):
        throttle.record_failure(None, "192.0.2.8")
    with pytest.raises(Throttled):
        service.disable(user, PASSWORD, pyotp.TOTP(secret).now(), "192.0.2.8")
    assert service.is_enabled(user)


def test_the_secret_key_derivation_is_pinned(ctx, app):
    """Changing the HKDF label would silently void every enrolment: keep it."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"totp-secret").derive(
        app.config["SECRET_KEY"].encode()
    )
    token = service.encrypt("JBSWY3DPEHPK3PXP")
    assert Fernet(base64.urlsafe_b64encode(key)).decrypt(token.encode()) == b"JBSWY3DPEHPK3PXP"


def test_admin_reset_is_logged_with_both_ids(ctx, caplog):
    ann, _, _ = enrolled("ann@example.com")
    root = create_user("root@example.com", PASSWORD, role="admin")
    service.reset_by_admin(root, ann)
    assert f"admin {root.id} reset the second factor of user {ann.id}" in caplog.text


def test_codes_are_checked_at_the_given_time(ctx):
    user, secret, _ = enrolled("ann@example.com")
    assert service.verify(user, pyotp.TOTP(secret).at(NOW + 30), None, now=NOW + 30) == "totp"
