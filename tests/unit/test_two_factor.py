"""Two-factor sign-in rules over HTTP and in the service: enrolment, the second step, replay,
drift, throttle, recovery codes, turning it off, the admin policy, the API token."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from project.auth.throttle import Throttled
from project.models import User
from project.twofactor import service
from project.twofactor.models import RecoveryCode, TotpSecret

PASSWORD = "violet-harbor-42"


def enrol(app, auth, client, email="ann@example.com", role="user"):
    """Create, log in and turn two-factor on through the pages; returns (secret, codes)."""
    auth.create_user(email, role=role)
    auth.login(email)
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor").text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page  # the QR code, inline, no script
    # The previous step's code (accepted: one step of drift), so the current one is still unused.
    # It turns two steps old (refused) if a step ends before the server checks it: never
    # start within a second of a step's end.
    if time.time() % 30 > 29:
        time.sleep(30 - time.time() % 30 + 0.05)
    done = client.post("/account/two-factor/enrol", data={"code": code_at(secret, -1)})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.text)
    auth.logout()
    return secret, codes


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_steps * 30)


def second_step(client, code):
    return client.post("/auth/two-factor", data={"code": code})


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def assert_second_step_refuses_then_accepts(auth, client, refused, accepted) -> None:
    """A fresh login: the code `refused` does not finish it, the code `accepted` does."""
    auth.logout()
    auth.login()
    second_step(client, refused)
    assert not logged_in(client)
    second_step(client, accepted)
    assert logged_in(client)


def test_enrolment_needs_a_code_and_shows_ten_codes_once(app, auth, client):
    secret, codes = enrol(app, auth, client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        record = TotpSecret.get()
        assert record.confirmed_at is not None
        assert secret not in record.secret_encrypted  # stored encrypted
        stored = [row.code_hash for row in RecoveryCode.select()]
        assert all(code.replace("-", "") not in stored for code in codes)
    auth.login()
    client.post("/auth/two-factor", data={"code": code_at(secret)})
    page = client.get("/account/two-factor").text
    assert secret not in page and codes[0] not in page  # never shown again


def test_wrong_enrolment_code_leaves_it_off(app, auth, client):
    auth.create_user()
    auth.login()
    client.post("/account/two-factor/start")
    client.post("/account/two-factor/enrol", data={"code": "000000"})
    with app.app_context():
        assert not service.is_enabled(User.get())


def test_password_alone_never_yields_a_session(app, auth, client):
    enrol(app, auth, client)
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/two-factor")
    assert not logged_in(client)
    assert client.get("/account/settings").status_code == 302


def test_a_code_signs_in_once_and_cannot_be_replayed(app, auth, client):
    secret, _ = enrol(app, auth, client)
    code = code_at(secret)
    auth.login()
    assert second_step(client, code).status_code == 302
    assert logged_in(client)
    auth.logout()
    auth.login()
    replay = second_step(client, code)
    assert replay.status_code == 200 and "not valid" in replay.text
    assert not logged_in(client)


@pytest.mark.parametrize(
    "offset, accepted", [(-1, True), (0, True), (1, True), (-2, False), (2, False)]
)
def test_one_step_of_drift_is_accepted(app, auth, client, offset, accepted):
    secret, _ = enrol(app, auth, client)
    now = time.time() + 3600  # an hour on: every step around `now` is unused
    code = pyotp.TOTP(secret).at(now + offset * 30)
    with app.test_request_context():
        user = User.get()
        if accepted:
            assert service.verify(user, code, "10.0.0.1", now=now) == "totp"
        else:
            with pytest.raises(service.WrongCode):
                service.verify(user, code, "10.0.0.1", now=now)


def test_recovery_code_works_once(app, auth, client):
    _, codes = enrol(app, auth, client)
    auth.login()
    second_step(client, codes[0].upper())  # case and the dash do not matter
    assert logged_in(client)
    assert_second_step_refuses_then_accepts(auth, client, codes[0], codes[1])


def test_regenerating_voids_the_old_codes(app, auth, client):
    secret, old = enrol(app, auth, client)
    auth.login()
    second_step(client, code_at(secret))
    fresh = client.post("/account/two-factor/recovery-codes", data={"code": code_at(secret, 1)})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", fresh.text)
    assert len(new) == 10
    assert_second_step_refuses_then_accepts(auth, client, old[2], new[0])


def test_wrong_codes_count_in_the_account_throttle(app, auth, client):
    secret, _ = enrol(app, auth, client)
    auth.login()
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    statuses = [second_step(client, f"{n:06d}").status_code for n in range(limit + 1)]
    assert statuses[-1] == 429
    refused = second_step(client, code_at(secret))  # even the right code waits now
    assert refused.status_code == 429 and not logged_in(client)
    # The one throttle sentence (auth/throttle.py), as on the login page.
    wait = int(refused.headers["Retry-After"])
    assert str(Throttled(wait)) in refused.get_data(as_text=True)


def test_turning_it_off_needs_password_and_code(app, auth, client):
    secret, _ = enrol(app, auth, client)
    auth.login()
    second_step(client, code_at(secret))
    client.post(
        "/account/two-factor/disable",
        data={"password": "wrong-password-1", "code": code_at(secret, 1)},
    )
    client.post("/account/two-factor/disable", data={"password": PASSWORD, "code": "123456"})
    with app.app_context():
        assert service.is_enabled(User.get())
    client.post(
        "/account/two-factor/disable", data={"password": PASSWORD, "code": code_at(secret, 1)}
    )
    with app.app_context():
        assert not service.is_enabled(User.get())


def test_each_change_sends_a_notice(app, auth, client):
    from pathlib import Path

    enrol(app, auth, client)
    mails = [p.read_text() for p in (Path(app.config["VAR_DIR"]) / "mail").glob("*.eml")]
    assert any("two-factor sign-in was turned on" in text for text in mails)


def test_admins_without_a_second_factor_reach_only_enrolment(app, auth, client):
    app.config["REQUIRE_TWO_FACTOR_FOR_ADMINS"] = True
    auth.create_user("root@example.com", role="admin")
    auth.login("root@example.com")
    held = client.get("/admin/users")
    assert held.status_code == 302 and held.headers["Location"].endswith("/account/two-factor")
    assert client.get("/account/settings").status_code == 302
    assert client.get("/account/two-factor").status_code == 200
    client.post("/account/two-factor/start")
    page = client.get("/account/two-factor").text
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    client.post("/account/two-factor/enrol", data={"code": code_at(secret)})
    assert client.get("/admin/users").status_code == 200


def test_an_admin_resets_a_users_second_factor_and_it_is_logged(app, auth, client, caplog):
    enrol(app, auth, client)
    auth.create_user("root@example.com", role="admin")
    auth.login("root@example.com")
    with app.app_context():
        ann = User.get(User.email == "ann@example.com")
    client.post(f"/admin/users/{ann.id}/reset-two-factor")
    with app.app_context():
        assert not service.is_enabled(ann)
    assert any("reset the second factor" in r.getMessage() for r in caplog.records)


def test_api_token_needs_a_current_code(app, auth, client):
    secret, _ = enrol(app, auth, client)
    body = {"email": "ann@example.com", "password": PASSWORD}
    missing = client.post("/api/v1/tokens", json=body)
    assert missing.status_code == 401 and missing.json["error"]["code"] == "otp_required"
    wrong = client.post("/api/v1/tokens", json={**body, "otp": "000000"})
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_otp"
    made = client.post("/api/v1/tokens", json={**body, "otp": code_at(secret)})
    assert made.status_code == 201


def test_pending_sign_in_expires(app, auth, client, monkeypatch):
    secret, _ = enrol(app, auth, client)
    auth.login()
    later = time.time() + 301
    monkeypatch.setattr("project.twofactor.views.time.time", lambda: later)
    response = second_step(client, code_at(secret))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert not logged_in(client)


def test_passkey_needs_the_app_first_and_a_pending_sign_in(app, auth, client):
    auth.create_user()
    auth.login()
    refused = client.post("/account/passkeys/options")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "app_first"
    auth.logout()
    nobody = client.post("/auth/two-factor/passkey/options")
    assert nobody.status_code == 400
    assert client.post("/auth/two-factor/passkey", json={}).status_code == 400


def test_a_forged_passkey_answer_is_refused_and_counted(app, auth, client):
    from project.twofactor.models import Passkey

    enrol(app, auth, client)
    with app.app_context():
        Passkey.create(user=User.get().id, credential_id="abc", public_key="AAAA", name="x")
    auth.login()
    options = client.post("/auth/two-factor/passkey/options")
    assert options.status_code == 200 and "challenge" in options.json
    forged = {"credential": {"id": "abc", "rawId": "abc", "type": "public-key", "response": {}}}
    answer = client.post("/auth/two-factor/passkey", json=forged)
    assert answer.status_code == 400 and not logged_in(client)
    replayed = client.post("/auth/two-factor/passkey", json=forged)  # the challenge was used up
    assert replayed.status_code == 400 and "No passkey request" in replayed.json["error"]["message"]
    with app.app_context():
        from project.models import LoginFailure

        # Counted for this browser's device cookie (it gave the right password just before).
        assert LoginFailure.select().where(LoginFailure.scope == "device").count() == 2


def test_passkeys_of_another_user_cannot_be_removed(app, auth, client):
    from project.twofactor.models import Passkey

    auth.create_user("bob@example.com")
    with app.app_context():
        bob = User.get(User.email == "bob@example.com")
        key = Passkey.create(user=bob.id, credential_id="bobs", public_key="AAAA", name="bob")
    auth.create_user()
    auth.login()
    client.post(f"/account/passkeys/{key.id}/delete")
    client.post(f"/account/passkeys/{key.id}/rename", data={"name": "mine now"})
    with app.app_context():
        assert Passkey.get_by_id(key.id).name == "bob"


def test_strangers_failing_on_the_account_do_not_block_the_owners_code_step(app, auth, client):
    """The owner's browser logged in before (device cookie): strangers' failed passwords on
    the account must not lock its second step either."""
    secret, _ = enrol(app, auth, client)  # logs in (device cookie set) and out
    auth.login()
    second_step(client, code_at(secret))
    auth.logout()
    stranger = app.test_client()
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"] + 1):
        stranger.post("/auth/login", data={"email": "ann@example.com", "password": "wrong-guess-1"})
    assert (
        stranger.post(
            "/auth/login", data={"email": "ann@example.com", "password": PASSWORD}
        ).status_code
        == 429
    )
    auth.login()  # the owner's browser, with its device cookie
    assert second_step(client, code_at(secret, 1)).status_code == 302
    assert logged_in(client)
