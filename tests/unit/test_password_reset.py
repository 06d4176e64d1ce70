"""Password reset through a real SMTP server: one link, used once, ending every session."""

import re
import time

import pytest
from itsdangerous import TimestampSigner

from devkit.accounts import PASSWORD
from devkit.mail import body, link_path
from devkit.net import free_port
from devkit.polling import wait_until
from devkit.testapp import app_log_text
from project.auth import emails, signed_links
from project.auth.throttle import Throttled
from project.models import User

NEW_PASSWORD = "amber-canyon-77"
CSRF = re.compile(rb'(name="csrf-token" content|name="csrf_token"[^>]*value)="[^"]*"')


def ask_reset(client, email="ann@example.com"):
    return client.post("/auth/forgot", data={"email": email})


def reset_link(client, smtp, email="ann@example.com") -> str:
    count = len(smtp.inbox.messages)
    assert ask_reset(client, email).status_code == 302
    message = smtp.inbox.wait_for(count + 1)[-1]
    assert message["To"] == email and message["Subject"] == "Reset your password"
    return link_path(message)


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


@pytest.fixture
def ann(auth, mail_app):
    return auth.create_user()


def test_login_page_links_to_the_form(client):
    assert b'href="/auth/forgot"' in client.get("/auth/login").data
    assert b"Forgot your password?" in client.get("/auth/forgot").data


def test_link_sets_a_new_password_and_logs_in(ann, client, smtp, auth):
    path = reset_link(client, smtp)
    page = client.get(path)
    assert page.status_code == 200 and b"Choose a new password" in page.data
    assert page.headers["Cache-Control"] == "no-store"
    response = choose(client, path)
    assert response.status_code == 302 and response.location == "/account"
    assert client.get("/account").status_code == 200  # logged in
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 200  # the old one fails
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_link_works_once(ann, client, smtp):
    path = reset_link(client, smtp)
    choose(client, path)
    for response in (client.get(path), choose(client, path, "another-pass-99")):
        assert response.status_code == 400
        assert b"not valid, or it was used already" in response.data
        assert b'href="/auth/forgot"' in response.data


def test_reset_logs_out_every_other_session(ann, app, client, smtp, auth):
    other = app.test_client()
    other.post("/auth/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert other.get("/account").status_code == 200
    choose(client, reset_link(client, smtp))
    assert other.get("/account").status_code == 302  # sent to log in
    assert client.get("/account").status_code == 200


def test_expired_link_fails(ann, client, smtp, monkeypatch):
    path = reset_link(client, smtp)
    later = int(time.time()) + 3601  # PASSWORD_RESET_MAX_AGE is an hour
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(path)
    assert response.status_code == 400 and b"This link has expired." in response.data


def test_tampered_link_fails(ann, client, smtp):
    path = reset_link(client, smtp)
    token = path.rsplit("/", 1)[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/auth/reset/{forged}").status_code == 400
    with client.application.app_context():  # a token for another purpose is refused too
        other = signed_links.confirm_token(User.get(), "ann@example.com")
    assert client.get(f"/auth/reset/{other}").status_code == 400
    assert choose(client, path).status_code == 302  # the real one still works


def test_password_change_in_settings_kills_the_link(ann, client, smtp, auth):
    path = reset_link(client, smtp)
    auth.login()
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/settings", data=data).status_code == 302
    assert client.get(path).status_code == 400


def test_new_password_follows_the_rules(ann, client, smtp):
    path = reset_link(client, smtp)
    for password, error in (
        ("short1", b"at least 8 characters"),
        ("password1", b"most common passwords"),
    ):
        response = choose(client, path, password)
        assert response.status_code == 200 and error in response.data
    assert choose(client, path, NEW_PASSWORD, "not-the-same-1").status_code == 200
    assert choose(client, path).status_code == 302  # unused until a valid one is given


def without_csrf(page: bytes) -> bytes:
    return CSRF.sub(b"", page)


def test_unknown_address_gets_the_same_answer(ann, app, smtp):
    answers = []
    for email in ("ann@example.com", "nobody@example.com"):
        client = app.test_client()
        response = ask_reset(client, email)
        page = client.get(response.location)
        answers.append((response.status_code, response.location, response.data, page.data))
    known, unknown = answers
    assert known[:3] == unknown[:3]
    assert without_csrf(known[3]) == without_csrf(unknown[3])
    assert b"If an account uses that address" in known[3]
    smtp.inbox.wait_for(1)
    time.sleep(0.2)  # a mail for the unknown address would have been sent by now
    assert [m["To"] for m in smtp.inbox.messages] == ["ann@example.com"]


def test_mail_server_down_gives_the_same_answer_and_logs(ann, app, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens
    response = ask_reset(client)
    unknown = ask_reset(app.test_client(), "nobody@example.com")
    assert (response.status_code, response.location) == (unknown.status_code, unknown.location)
    request_id = response.headers["X-Request-ID"]
    line = wait_until(lambda: next((x for x in log_lines(app) if "not sent" in x), None))
    assert f"ERROR [{request_id}]" in line and "Reset your password" in line


def log_lines(app):
    return app_log_text(app).splitlines()


def test_requests_are_limited_per_address_asked_for(ann, app, client, smtp):
    app.config.update(MAIL_LIMIT_PER_RECIPIENT=3)
    for _ in range(3):
        assert ask_reset(client).status_code == 302
    response = ask_reset(client)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert the_throttle_sentence(response) in response.data
    assert len(smtp.inbox.wait_for(3)) == 3


def test_successful_reset_clears_the_account_throttle(ann, app, client, smtp, auth):
    app.config.update(LOGIN_THROTTLE_PER_ACCOUNT=3)
    auth.login(password="wrong-password-1")
    auth.login(password="wrong-password-2")
    choose(client, reset_link(client, smtp))  # the third attempt on the account
    auth.logout()
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_disabled_account_gets_no_mail(ann, app, client, smtp):
    with app.app_context():
        User.update(active=False).execute()
    assert ask_reset(client).status_code == 302
    time.sleep(0.2)
    assert smtp.inbox.messages == []


def test_link_dies_when_the_account_is_disabled(ann, app, client, smtp):
    path = reset_link(client, smtp)
    with app.app_context():
        User.update(active=False).execute()
    assert client.get(path).status_code == 400


def test_two_uses_at_once_change_the_password_once(ann, app):
    with app.test_request_context():
        first, second = User.get(), User.get()  # both loaded before either reset
        emails.reset_password(first, NEW_PASSWORD, "10.0.0.1")
        with pytest.raises(signed_links.LinkInvalid):
            emails.reset_password(second, "another-pass-99", "10.0.0.2")


def test_reset_confirms_the_address(ann, app, client, smtp):
    choose(client, reset_link(client, smtp))
    with app.app_context():
        assert User.get().email_confirmed_at is not None


def test_link_in_the_message_uses_public_url(ann, app, client, smtp):
    app.config["PUBLIC_URL"] = "https://app.example.com"
    ask_reset(client)
    assert "https://app.example.com/auth/reset/" in body(smtp.inbox.wait_for(1)[0])


def test_forms_behind_links_check_csrf(ann, app, client, smtp):
    path = reset_link(client, smtp)
    app.config["WTF_CSRF_ENABLED"] = True
    for response in (ask_reset(client), choose(client, path)):
        assert response.status_code == 400 and b"security token" in response.data
    assert client.get(path).status_code == 200  # the link itself still works


def the_throttle_sentence(response) -> bytes:
    """The one throttle sentence (auth/throttle.py) for the wait this response announces."""
    return str(Throttled(int(response.headers["Retry-After"]))).encode()


def test_a_user_who_is_not_the_first_resets_their_password(mail_app, auth, client, smtp):
    """The link loads its own user, not whichever row comes first (mutation report)."""
    auth.create_user("zed@example.com")
    auth.create_user()
    path = reset_link(client, smtp)
    assert choose(client, path).status_code == 302
    auth.logout()
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert auth.login("zed@example.com", PASSWORD).status_code == 302  # untouched
