"""F-16: the owner is mailed after each credential change (and never for a failed attempt)."""

import pytest

from devkit.accounts import PASSWORD
from devkit.api import bearer
from devkit.mail import LINK, body, link_path

NEW_PASSWORD = "amber-canyon-77"


@pytest.fixture
def ann(mail_app, auth):
    auth.create_user()
    auth.login()
    return auth


def messages(smtp, count):
    return smtp.inbox.wait_for(count)


def test_password_change_notice(ann, client, smtp, app):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/settings", data=data).status_code == 302
    [notice] = messages(smtp, 1)
    assert notice["To"] == "ann@example.com"
    assert notice["Subject"] == "Your password was changed"
    text = body(notice)
    assert "ann@example.com on localhost was changed" in text  # the site: PUBLIC_URL's host
    assert "API token" in text and " UTC" in text
    assert LINK.findall(text) == ["http://localhost/auth/forgot"]  # from PUBLIC_URL


def test_a_wrong_current_password_sends_nothing(ann, client, smtp):
    data = {"current_password": "wrong-pass-123", "new_password": NEW_PASSWORD}
    client.post("/account/settings", data={**data, "confirm": NEW_PASSWORD})
    client.post("/api/v1/tokens", json={"email": "ann@example.com", "password": "wrong-pass-1"})
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    client.post("/account/settings", data=data)  # a real change: the first and only message
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Your password was changed"]


def test_password_reset_notice(mail_app, auth, app, smtp):
    auth.create_user()
    client = app.test_client()
    client.post("/auth/forgot", data={"email": "ann@example.com"})
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(link_path(messages(smtp, 1)[0]), data=form).status_code == 302
    notice = messages(smtp, 2)[1]
    assert (notice["To"], notice["Subject"]) == ("ann@example.com", "Your password was reset")


def test_email_change_notice_goes_to_the_old_address(ann, client, smtp, app):
    client.post(
        "/account/settings",
        data={"form": "email", "new_email": "ann@new.example", "password": PASSWORD},
    )
    assert client.post(link_path(messages(smtp, 1)[0])).status_code == 302
    notice = messages(smtp, 2)[1]
    assert notice["To"] == "ann@example.com"
    assert notice["Subject"] == "The address of your account was changed"
    assert "ann@new.example" in body(notice) and LINK.findall(body(notice)) == []


def test_confirming_the_same_address_sends_no_notice(mail_app, auth, client, smtp):
    auth.register()
    assert client.post(link_path(messages(smtp, 1)[0])).status_code == 302
    assert len(smtp.inbox.messages) == 1


def test_new_token_notice(mail_app, auth, client, smtp, app):
    auth.create_user()
    response = client.post(
        "/api/v1/tokens", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    [notice] = messages(smtp, 1)
    assert (notice["To"], notice["Subject"]) == ("ann@example.com", "A new API token was created")
    assert LINK.findall(body(notice)) == ["http://localhost/account/settings"]
    assert response.get_json()["token"] not in body(notice)
    assert client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).status_code == 200
