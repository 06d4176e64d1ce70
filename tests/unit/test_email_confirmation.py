"""Email confirmation and address change, through a real SMTP server."""

import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner

from devkit.accounts import PASSWORD
from devkit.jobs import queue_down
from devkit.mail import body, link_path
from devkit.net import free_port
from devkit.polling import wait_until
from devkit.testapp import app_log_text
from project import devtools
from project.auth.service import create_user
from project.auth.throttle import Throttled
from project.models import ApiToken, User

BANNER = b"Please confirm your email address"


def user_row(app, email="ann@example.com"):
    with app.app_context():
        return User.get_or_none(User.email == email)


def confirm(client, path):
    """Open the link (a page with a button), then press the button (POST)."""
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path)


def change_email(client, new="ann@new.example", password=PASSWORD):
    return client.post(
        "/account/settings", data={"form": "email", "new_email": new, "password": password}
    )


@pytest.fixture
def registered(mail_app, auth, smtp):
    """Ann registered and logged in; her confirmation message arrived."""
    response = auth.register()
    assert response.status_code == 302 and response.location == "/auth/login"
    assert auth.login().status_code == 302
    message = smtp.inbox.wait_for(1)[0]
    assert message["To"] == "ann@example.com"
    return link_path(message)


def test_registration_sends_a_link_and_shows_the_banner(registered, client, app):
    page = client.get("/account")
    assert BANNER in page.data and b"Send a new link" in page.data
    assert user_row(app).email_confirmed_at is None


def test_link_confirms_once(registered, client, app):
    page = client.get(registered)
    assert page.status_code == 200 and b"ann@example.com</strong> is your email" in page.data
    assert user_row(app).email_confirmed_at is None  # opening the link changes nothing
    response = client.post(registered)
    assert response.status_code == 302 and response.location == "/account"
    assert user_row(app).email_confirmed_at is not None
    assert BANNER not in client.get("/account").data
    for again in (client.get(registered), client.post(registered)):
        assert again.status_code == 400 and b"used already" in again.data


def test_link_works_without_being_logged_in(registered, client, auth, app):
    auth.logout()
    response = confirm(client, registered)
    assert response.status_code == 302 and response.location == "/auth/login"
    assert user_row(app).email_confirmed_at is not None


def test_expired_and_tampered_links_fail(registered, client, monkeypatch):
    token = registered.rsplit("/", 1)[1]
    forged = f"/auth/confirm/{token[:-2]}{'xy' if not token.endswith('xy') else 'zz'}"
    assert client.get(forged).status_code == 400
    assert client.post(forged).status_code == 400
    later = int(time.time()) + 3 * 24 * 3600 + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(registered)
    assert response.status_code == 400 and b"This link has expired." in response.data
    assert client.post(registered).status_code == 400


def test_send_a_new_link(registered, client, smtp, app):
    response = client.post("/auth/confirm/resend")
    assert response.status_code == 302
    assert b"We sent a new confirmation link" in client.get(response.location).data
    fresh = link_path(smtp.inbox.wait_for(2)[1])
    assert confirm(client, fresh).status_code == 302
    assert user_row(app).email_confirmed_at is not None


def test_resend_needs_a_user_and_csrf(registered, app, client, auth):
    auth.logout()
    response = client.post("/auth/confirm/resend")
    assert response.location == "/auth/login"
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login()
    assert client.post("/auth/confirm/resend").status_code == 400


def test_resend_is_throttled(registered, app, client):
    app.config.update(MAIL_LIMIT_PER_ACCOUNT=2)
    client.post("/auth/confirm/resend")
    client.post("/auth/confirm/resend")
    page = client.get(client.post("/auth/confirm/resend").location)
    assert b"Too many attempts. Try again in " in page.data


def log_lines(app):
    return app_log_text(app).splitlines()


def test_mail_server_down_at_registration(app, auth, client):
    """The request only queues the mail: it says it was sent; the job logs and retries."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens
    response = auth.register()
    assert response.status_code == 302  # the account exists; the mail is queued
    assert user_row(app) is not None
    lines = log_lines(app)
    line = next(x for x in lines if "not sent" in x)
    assert f"ERROR [{response.headers['X-Request-ID']}]" in line
    assert any("tries left" in x and response.headers["X-Request-ID"] in x for x in lines)
    auth.login()
    page = client.get("/account")
    assert BANNER in page.data and b"Send a new link" in page.data


def test_queue_down_at_registration(app, auth, client):
    queue_down(app)
    response = auth.register()
    # Answered as always (a taken address must not look different, F-10); logged.
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    line = next(x for x in log_lines(app) if "not enqueued" in x)
    assert f"ERROR [{response.headers['X-Request-ID']}]" in line and "ConnectionError" in line
    auth.login()
    page = client.get("/account")
    assert BANNER in page.data and b"Send a new link" in page.data
    response = client.post("/auth/confirm/resend")  # still down: said, nothing breaks
    assert b"We could not send" in client.get(response.location).data
    assert client.get("/").status_code == 200  # pages that queue nothing still serve


def test_without_a_mail_server_the_link_is_in_var_mail(app, auth, client):
    auth.register()
    files = wait_until(lambda: list((Path(app.config["VAR_DIR"]) / "mail").glob("*.eml")))
    assert len(files) == 1
    text = files[0].read_text()
    path = "/auth/confirm/" + text.split("/auth/confirm/")[1].split()[0]
    assert confirm(client, path).status_code == 302
    assert user_row(app).email_confirmed_at is not None


@pytest.fixture
def required(mail_app):
    mail_app.config["EMAIL_CONFIRMATION_REQUIRED"] = True
    return mail_app


def test_required_confirmation_blocks_login_until_confirmed(required, auth, client, smtp):
    response = auth.register()
    assert response.location == "/auth/login"
    assert client.get("/account").status_code == 302  # not logged in
    refused = auth.login()
    assert refused.status_code == 403 and b"Confirm your email address first" in refused.data
    assert b"Send a new link" in refused.data
    assert client.get("/account").status_code == 302
    resent = client.post("/auth/confirm/resend")
    assert resent.location == "/auth/login"
    second = smtp.inbox.wait_for(2)[1]
    assert second["To"] == "ann@example.com"
    assert confirm(client, link_path(second)).status_code == 302
    assert auth.login().status_code == 302
    assert client.get("/account").status_code == 200


def test_required_confirmation_still_refuses_a_wrong_password(required, auth):
    auth.register()
    response = auth.login(password="wrong-password-1")
    assert response.status_code == 200 and b"Invalid email or password" in response.data
    assert b"Send a new link" not in response.data


def test_operator_created_users_are_confirmed(required, auth, runner, app):
    with app.app_context():
        assert create_user("op@example.com", PASSWORD).email_confirmed_at is None
    user = devtools.create_user("test", "admin@example.com", PASSWORD, admin=True)
    assert user.email_confirmed_at is not None


def test_email_change_applies_only_when_the_new_address_confirms(registered, client, smtp, app):
    response = change_email(client)
    assert response.status_code == 302
    assert b"We sent a link to ann@new.example" in client.get(response.location).data
    message = smtp.inbox.wait_for(2)[1]
    assert message["To"] == "ann@new.example" and "ann@example.com" in body(message)
    assert user_row(app).email == "ann@example.com"  # not yet
    page = client.get(link_path(message))
    assert b"from <strong>ann@example.com</strong> to" in page.data
    assert client.post(link_path(message)).status_code == 302
    user = user_row(app, "ann@new.example")
    assert user is not None and user.email_confirmed_at is not None
    assert client.get(link_path(message)).status_code == 400  # used
    assert client.get(registered).status_code == 400  # the old address's link is void


def test_email_change_needs_the_password(registered, client, smtp, app):
    response = change_email(client, password="wrong-password-1")
    assert response.status_code == 200 and b"Current password is wrong" in response.data
    time.sleep(0.1)
    assert len(smtp.inbox.messages) == 1  # the registration message only


def test_email_change_refuses_a_taken_or_same_address(registered, client, auth):
    auth.create_user("bob@example.com")
    assert b"Another account uses that address" in change_email(client, "bob@example.com").data
    assert b"already your address" in change_email(client, "ANN@example.com").data
    assert b"valid email address" in change_email(client, "not-an-address").data


def test_address_taken_before_the_link_is_followed(registered, client, smtp, auth, app):
    change_email(client)
    path = link_path(smtp.inbox.wait_for(2)[1])
    auth.create_user("ann@new.example")
    response = confirm(client, path)
    assert response.status_code == 400 and b"Another account uses that address now" in response.data
    assert user_row(app).email == "ann@example.com"


def test_email_change_with_the_queue_down_changes_nothing(registered, client, app):
    queue_down(app)
    response = change_email(client)
    page = client.get(response.location)
    assert b"We could not send the confirmation link" in page.data
    assert b"Your address is unchanged" in page.data
    assert user_row(app).email == "ann@example.com"
    line = next(x for x in app_log_text(app).splitlines() if "not enqueued" in x)
    assert f"[{response.headers['X-Request-ID']}]" in line


def test_settings_page_shows_both_forms(registered, client):
    page = client.get("/account/settings").data
    assert b'name="form" value="email"' in page and b"New email address" in page
    assert page.count(b'action="/account/settings"') == 2
    assert b"password fields are cleared after an error" in page  # W22


def test_reloading_a_failed_address_change_shows_the_page_again(registered, client):
    """W15: the failed change is answered at /account/settings, so a reload (a GET of the
    address the browser shows) is the settings page, not a 405."""
    response = change_email(client, password="wrong-password-1")
    assert response.status_code == 200 and b"New email address" in response.data
    assert client.get("/account/settings").status_code == 200


def test_email_change_wrong_passwords_are_throttled(registered, app, client):
    app.config.update(LOGIN_THROTTLE_PER_ACCOUNT=2)
    change_email(client, password="wrong-password-1")
    change_email(client, password="wrong-password-2")
    response = change_email(client)
    assert response.status_code == 429 and the_throttle_sentence(response) in response.data
    assert user_row(app).email == "ann@example.com"


def test_confirm_button_checks_csrf(registered, app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(registered)
    assert response.status_code == 400 and b"security token" in response.data
    assert user_row(app).email_confirmed_at is None


def the_throttle_sentence(response) -> bytes:
    """The one throttle sentence (auth/throttle.py) for the wait this response announces."""
    return str(Throttled(int(response.headers["Retry-After"]))).encode()


def test_required_confirmation_also_holds_for_api_tokens(required, auth, client, smtp, app):
    """F-03: the login page refused an unconfirmed account, POST /api/v1/tokens gave 201."""
    auth.register()
    credentials = {"email": "ann@example.com", "password": PASSWORD}
    refused = client.post("/api/v1/tokens", json=credentials)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "email_unconfirmed"
    with app.app_context():
        assert ApiToken.select().count() == 0
    assert confirm(client, link_path(smtp.inbox.wait_for(1)[0])).status_code == 302
    assert client.post("/api/v1/tokens", json=credentials).status_code == 201


def test_link_confirms_a_user_who_is_not_the_first(mail_app, auth, client, smtp, app):
    """The link loads its own user, not whichever row comes first (mutation report)."""
    auth.create_user("zed@example.com")
    assert auth.register().status_code == 302
    assert confirm(client, link_path(smtp.inbox.wait_for(1)[0])).status_code == 302
    assert user_row(app).email_confirmed_at is not None
    assert user_row(app, "zed@example.com").email_confirmed_at is None
