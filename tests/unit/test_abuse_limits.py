"""Abuse through the accounts pages (F-04, F-09, F-10, F-12), each attack performed over HTTP.

Lockout through forgot-password, strangers locking the owner out, IPv6 address rotation,
mail bombing from the site's own domain, and registration telling who has an account.
"""

import pytest

from devkit.accounts import PASSWORD
from devkit.mail import body
from project.limits import client_key
from project.models import LoginFailure, User

WRONG = "wrong-password-9"
VICTIM = "victim@example.com"
OTHER_PASSWORD = "Other-Passw0rd-1"


def post_from(client, path, address, **data):
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


def login_from(app, address, email=VICTIM, password=PASSWORD, client=None):
    client = client or app.test_client()
    return post_from(client, "/auth/login", address, email=email, password=password)


@pytest.fixture
def victim(auth):
    return auth.create_user(VICTIM)


# F-04: anyone could lock any account out ------------------------------------------------


def test_reset_requests_never_lock_the_owner_out(victim, app):
    """Ten anonymous forgot-password requests used to block the right password (429)."""
    for n in range(10):
        post_from(app.test_client(), "/auth/forgot", f"198.51.100.{n}", email="Victim@Example.com ")
    assert login_from(app, "203.0.113.5").status_code == 302  # a new browser, even
    with app.app_context():
        assert LoginFailure.select().count() == 0


def test_reset_mails_have_their_own_limit_per_address_asked_for(victim, mail_app, smtp):
    answers = [
        post_from(mail_app.test_client(), "/auth/forgot", f"198.51.100.{n}", email=VICTIM)
        for n in range(4)
    ]
    assert [r.status_code for r in answers] == [302, 302, 302, 429]  # 3 a window by default
    assert "Retry-After" in answers[-1].headers
    assert len(smtp.inbox.wait_for(3)) == 3
    unknown = [
        post_from(mail_app.test_client(), "/auth/forgot", f"198.51.100.{n}", email="x@example.com")
        for n in range(4)
    ]
    assert unknown[-1].status_code == 429  # the same for an unknown address: nothing told


def test_reset_requests_are_limited_per_client(app):
    client = app.test_client()
    for n in range(10):
        assert (
            post_from(client, "/auth/forgot", "192.0.2.7", email=f"u{n}@ex.com").status_code == 302
        )
    assert post_from(client, "/auth/forgot", "192.0.2.7", email="u99@ex.com").status_code == 429
    assert post_from(client, "/auth/forgot", "192.0.2.8", email="u99@ex.com").status_code == 302


def strangers_fail(app, times=10):
    for n in range(times):
        assert login_from(app, f"198.51.100.{n}", password=WRONG).status_code == 200


def test_a_browser_that_logged_in_before_still_logs_in_while_strangers_fail(victim, app):
    owner = app.test_client()
    assert login_from(app, "203.0.113.5", client=owner).status_code == 302
    owner.post("/auth/logout")
    strangers_fail(app)
    assert login_from(app, "198.51.100.99").status_code == 429  # a stranger, right password
    response = login_from(app, "203.0.113.5", client=owner)
    assert response.status_code == 302 and response.location == "/account"


def test_strangers_behind_the_owners_address_do_not_lock_the_owner_out(victim, app):
    """A shared NAT, or nginx in front with PROXY_HOPS left at 0: everyone has one address."""
    owner = app.test_client()
    login_from(app, "192.0.2.1", client=owner)
    owner.post("/auth/logout")
    for n in range(30):
        login_from(app, "192.0.2.1", email=f"u{n}@example.com", password=WRONG)
    assert login_from(app, "192.0.2.1", email="u99@example.com").status_code == 429
    assert login_from(app, "192.0.2.1", client=owner).status_code == 302


def test_the_device_cookie_is_limited_on_its_own(victim, app):
    owner = app.test_client()
    login_from(app, "203.0.113.5", client=owner)
    owner.post("/auth/logout")
    for n in range(10):
        assert login_from(app, f"203.0.113.{n}", password=WRONG, client=owner).status_code == 200
    assert login_from(app, "203.0.113.50", client=owner).status_code == 429
    assert login_from(app, "198.51.100.1").status_code == 302  # the account count is untouched


def test_a_device_cookie_helps_only_its_own_account(victim, auth, app):
    auth.create_user("mallory@example.com")
    mallory = app.test_client()
    login_from(app, "198.51.100.1", email="mallory@example.com", client=mallory)
    mallory.post("/auth/logout")
    for n in range(10):
        login_from(app, f"198.51.100.{n}", password=WRONG, client=mallory)
    assert login_from(app, "198.51.100.50", client=mallory).status_code == 429
    forged = app.test_client()
    forged.set_cookie(
        "device", mallory.get_cookie("device", path="/auth").value + "x", path="/auth"
    )
    assert login_from(app, "198.51.100.51", client=forged).status_code == 429


def test_device_cookie_flags(victim, app):
    response = login_from(app, "203.0.113.5")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("device="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/auth" in header
    assert "Max-Age=31536000" in header
    assert VICTIM not in header  # signed, and the address is not readable at a glance


# F-12: IPv6 clients rotated through their /64 ------------------------------------------


def test_ipv6_addresses_are_limited_by_their_64(app):
    app.config.update(LOGIN_THROTTLE_PER_ADDRESS=5)
    for n in range(5):
        login_from(app, f"2001:db8:1:2::{n + 1:x}", email=f"u{n}@example.com", password=WRONG)
    assert login_from(app, "2001:db8:1:2:ffff::9", email="z@example.com").status_code == 429
    assert login_from(app, "2001:db8:1:3::1", email="z@example.com").status_code == 200


def test_address_keys():
    assert client_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("192.0.2.1") == "192.0.2.1"
    assert client_key(None) == "unknown" and client_key("garbage") == "garbage"


# F-09: mail bombing from the site's own domain -----------------------------------------


def to(smtp, address):
    return [m for m in smtp.inbox.messages if m["To"] == address]


def test_email_change_mails_are_limited_per_target_and_per_account(auth, mail_app, smtp):
    auth.create_user("spammer@example.com")
    auth.login(email="spammer@example.com")
    data = {"new_email": "target@victim.example", "password": PASSWORD}
    statuses = [
        auth.client.post("/account/settings", data={"form": "email", **data}).status_code
        for _ in range(25)
    ]
    assert statuses[:3] == [302] * 3 and set(statuses[3:]) == {429}
    assert len(to(smtp, "target@victim.example")) == 3
    for n in range(5):  # other targets: the account's own limit (5) stops it
        auth.client.post(
            "/account/settings", data={"form": "email", **data, "new_email": f"t{n}@victim.example"}
        )
    assert len(smtp.inbox.messages) == 5


def test_registrations_are_limited_per_client(app):
    client = app.test_client()
    data = {"password": PASSWORD, "confirm": PASSWORD}
    for n in range(5):
        response = post_from(client, "/auth/register", "192.0.2.7", email=f"t+{n}@ex.com", **data)
        assert response.status_code == 302
    refused = post_from(client, "/auth/register", "192.0.2.7", email="t+9@ex.com", **data)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    with app.app_context():
        assert User.select().count() == 5
    assert (
        post_from(client, "/auth/register", "192.0.2.8", email="t+9@ex.com", **data).status_code
        == 302
    )


def test_registering_a_taken_address_again_and_again_mails_its_owner_three_times(
    victim, mail_app, smtp
):
    data = {"email": VICTIM, "password": "Other-Passw0rd-1", "confirm": "Other-Passw0rd-1"}
    for n in range(5):
        post_from(mail_app.test_client(), "/auth/register", f"198.51.100.{n}", **data)
    assert len(smtp.inbox.wait_for(3)) == 3
    with pytest.raises(AssertionError):
        smtp.inbox.wait_for(4, timeout=0.5)


# F-10: registration told who has an account --------------------------------------------


def register(app, email):
    client = app.test_client()
    data = {"email": email, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD}
    response = client.post("/auth/register", data=data)
    return response, client.get(response.location).get_data(as_text=True), client


def test_registering_a_taken_address_answers_like_a_new_one(victim, mail_app, smtp):
    taken, taken_page, taken_client = register(mail_app, VICTIM)
    new, new_page, _ = register(mail_app, "newcomer@example.com")
    assert (taken.status_code, taken.location) == (new.status_code, new.location)
    assert taken_page.replace(VICTIM, "X") == new_page.replace("newcomer@example.com", "X")
    assert "already" not in taken_page
    assert taken_client.get("/account").status_code == 302  # no session for the visitor
    mails = {m["To"]: m for m in smtp.inbox.wait_for(2)}
    assert "has one already" in body(mails[VICTIM])
    assert "/auth/forgot" in body(mails[VICTIM]) and "/auth/confirm/" not in body(mails[VICTIM])
    assert "/auth/confirm/" in body(mails["newcomer@example.com"])
    with mail_app.app_context():  # the owner's password is unchanged
        assert login_from(mail_app, "203.0.113.9").status_code == 302
        assert User.select().where(User.email == VICTIM).count() == 1


def test_each_account_has_its_own_mail_limit(auth, app):
    for email in ("a@example.com", "b@example.com"):
        auth.create_user(email)
        auth.login(email=email)
        for n in range(5):
            data = {"new_email": f"{email[0]}{n}@elsewhere.example", "password": PASSWORD}
            assert (
                auth.client.post("/account/settings", data={"form": "email", **data}).status_code
                == 302
            )
        refused = auth.client.post(
            "/account/settings", data={"form": "email", **data, "new_email": "z@ex.com"}
        )
        assert refused.status_code == 429
        auth.logout()


def test_retry_after_of_a_mail_limit_counts_from_the_oldest_mail(victim, app, monkeypatch):
    from datetime import timedelta

    from project import limits
    from project.models import utcnow

    clock = {"now": utcnow()}
    monkeypatch.setattr(limits, "utcnow", lambda: clock["now"])
    start = clock["now"]
    for n in range(3):
        clock["now"] = start + timedelta(seconds=600 * n)
        post_from(app.test_client(), "/auth/forgot", f"198.51.100.{n}", email=VICTIM)
    clock["now"] = start + timedelta(seconds=1500)
    refused = post_from(app.test_client(), "/auth/forgot", "198.51.100.9", email=VICTIM)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2100"  # the first mail leaves the hour then
    assert b"Try again in about 35 minutes" in refused.data  # 2100 s, in words


def lock_out_strangers(app):
    strangers_fail(app)
    assert login_from(app, "198.51.100.99").status_code == 429


def test_an_expired_device_cookie_is_a_stranger(victim, app, monkeypatch):
    import time

    from itsdangerous import TimestampSigner

    owner = app.test_client()
    login_from(app, "203.0.113.5", client=owner)
    owner.post("/auth/logout")
    lock_out_strangers(app)
    year_later = int(time.time()) + 365 * 24 * 3600 + 1  # DEVICE_COOKIE_DURATION
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: year_later)
    assert login_from(app, "203.0.113.5", client=owner).status_code == 429


def test_a_device_cookie_signed_for_another_purpose_is_refused(victim, app):
    from itsdangerous import URLSafeTimedSerializer

    lock_out_strangers(app)
    forged = app.test_client()
    payload = {"account": VICTIM, "nonce": "chosen-by-the-attacker"}
    for salt in ("email-confirm", "password-reset", "cookie-session", None):
        value = URLSafeTimedSerializer(app.secret_key, salt=salt).dumps(payload)
        forged.set_cookie("device", value, path="/auth")
        assert login_from(app, "198.51.100.98", client=forged).status_code == 429
