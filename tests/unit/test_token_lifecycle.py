"""F-02: API tokens end with every credential change, and their owner sees and revokes them.

The attack (A-02): someone registers the victim's address before the victim does and mints a
token; the real owner later recovers the account with a password reset; the old token must
stop working then, and after every other recovery action too.
"""

import re
from datetime import timedelta

import pytest

from devkit.accounts import PASSWORD, log_in, make_user
from devkit.accounts import PASSWORD as API_PASSWORD
from devkit.api import bearer, make_token
from devkit.mail import link_path
from devkit.polling import wait_until
from project.api import bearer_tokens as tokens
from project.auth import emails
from project.auth.service import create_user
from project.models import ApiToken, User, utcnow

OWNER_PASSWORD = "Real-Owner-Pass-9"


def subject_in(smtp, subject):
    """The first message with `subject` (other mails, e.g. notices, arrive in any order)."""
    return next((m for m in list(smtp.inbox.messages) if m["Subject"] == subject), None)


def works(client, token) -> bool:
    status = client.get("/api/v1/notes", headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def squatted(mail_app, client):
    """The attacker registered victim@corp.example and holds a token for it."""
    data = {"email": "victim@corp.example", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/auth/register", data=data).status_code == 302
    login = {"email": "victim@corp.example", "password": PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 302  # registering logs nobody in
    token = client.post("/api/v1/tokens", json=login).get_json()["token"]
    assert works(client, token)
    return token


def test_a_password_reset_ends_the_attackers_token(squatted, app, smtp):
    owner = app.test_client()
    owner.post("/auth/forgot", data={"email": "victim@corp.example"})
    reset = wait_until(lambda: subject_in(smtp, "Reset your password"))
    form = {"password": OWNER_PASSWORD, "confirm": OWNER_PASSWORD}
    assert owner.post(link_path(reset), data=form).status_code == 302
    owner.post("/notes/", data={"title": "owner secret", "body": "pin 1234"})
    attacker = app.test_client()
    response = attacker.get("/api/v1/notes", headers=bearer(squatted))
    assert response.status_code == 401 and b"pin 1234" not in response.data


def test_a_password_change_ends_every_token(squatted, app, client):
    data = {"current_password": PASSWORD, "new_password": OWNER_PASSWORD, "confirm": OWNER_PASSWORD}
    assert client.post("/account/settings", data=data).status_code == 302
    assert not works(app.test_client(), squatted)


def test_log_out_everywhere_ends_every_token(squatted, app, client):
    assert client.post("/auth/logout-everywhere").status_code == 302
    assert not works(app.test_client(), squatted)


def test_disabling_ends_tokens_and_enabling_does_not_bring_them_back(squatted, app, auth):
    auth.create_user("admin@example.com", role="admin")
    admin = app.test_client()
    admin.post("/auth/login", data={"email": "admin@example.com", "password": PASSWORD})
    with app.app_context():
        victim = User.get(User.email == "victim@corp.example")
    assert admin.post(f"/admin/users/{victim.id}/disable").status_code == 302
    assert not works(app.test_client(), squatted)
    assert admin.post(f"/admin/users/{victim.id}/enable").status_code == 302
    assert not works(app.test_client(), squatted)


def test_a_token_issued_while_a_reset_lands_is_born_ended(app):
    """The password was checked against the row as it was; a reset in between wins."""
    with app.app_context():
        create_user("ann@example.com", PASSWORD)
        checked = User.get()  # as POST /tokens loaded it, before hashing
        emails.reset_password(User.get(), OWNER_PASSWORD, "10.0.0.1")
        secret, _ = tokens.issue_token(checked, 3600)
        assert tokens.find_live_token(secret) is None


def test_other_users_tokens_survive_a_credential_change(app, client):
    ann, bob = make_user(app), make_user(app, "bob@example.com")
    ann_token, bob_token = make_token(app, ann), make_token(app, bob)
    log_in(client, ann)
    client.post("/auth/logout-everywhere")
    assert not works(client, ann_token)
    assert works(client, bob_token)


# --- seeing and revoking them: the API ----------------------------------------------------


@pytest.fixture
def ann(app):
    return make_user(app)


def listed(client, token) -> list[dict]:
    response = client.get("/api/v1/tokens", headers=bearer(token))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()["items"]


def test_the_list_shows_live_tokens_only_with_their_dates(app, client, ann):
    old, current = make_token(app, ann), make_token(app, ann, ttl_seconds=7200)
    revoked, expired = make_token(app, ann), make_token(app, ann)
    make_token(app, make_user(app, "bob@example.com"))
    with app.app_context():
        ApiToken.update(revoked=True).where(
            ApiToken.token_hash == tokens.hash_token(revoked)
        ).execute()
        ApiToken.update(expires_at=utcnow() - timedelta(seconds=1)).where(
            ApiToken.token_hash == tokens.hash_token(expired)
        ).execute()
    client.get("/api/v1/me", headers=bearer(old))
    items = listed(client, current)
    assert [item["current"] for item in items] == [True, False]  # newest first
    assert set(items[0]) == {"id", "created_at", "last_used_at", "expires_at", "current"}
    assert items[0]["last_used_at"] is not None  # the listing request itself
    assert items[1]["last_used_at"] is not None and items[1]["expires_at"] < items[0]["expires_at"]
    assert old not in str(items) and "token_hash" not in str(items)


def test_the_list_from_a_session_has_no_current_token(app, client, ann):
    make_token(app, ann)
    log_in(client, ann)
    [item] = client.get("/api/v1/tokens").get_json()["items"]
    assert item["current"] is False


def test_revoke_one_token_by_id(app, client, ann):
    keep, drop = make_token(app, ann), make_token(app, ann)
    drop_id = next(i["id"] for i in listed(client, keep) if not i["current"])
    assert client.delete(f"/api/v1/tokens/{drop_id}", headers=bearer(keep)).status_code == 204
    assert not works(client, drop) and works(client, keep)
    again = client.delete(f"/api/v1/tokens/{drop_id}", headers=bearer(keep))
    assert again.status_code == 404


def test_someone_elses_token_id_is_404_and_stays_alive(app, client, ann):
    mine, theirs = make_token(app, ann), make_token(app, make_user(app, "bob@example.com"))
    with app.app_context():
        their_id = ApiToken.get(ApiToken.token_hash == tokens.hash_token(theirs)).id
    response = client.delete(f"/api/v1/tokens/{their_id}", headers=bearer(mine))
    assert response.status_code == 404 and works(client, theirs)


def test_revoke_all_tokens(app, client, ann):
    first, second = make_token(app, ann), make_token(app, ann)
    other = make_token(app, make_user(app, "bob@example.com"))
    assert client.delete("/api/v1/tokens", headers=bearer(first)).status_code == 204
    assert not works(client, first) and not works(client, second)
    assert works(client, other)


def test_revoking_from_a_session_needs_the_csrf_header(app, client, ann):
    token = make_token(app, ann)
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, ann)
    assert client.delete("/api/v1/tokens").status_code == 400
    assert works(client, token)


# --- seeing and revoking them: the settings page ------------------------------------------


def settings_page(client) -> str:
    return client.get("/account/settings").get_data(as_text=True)


def test_settings_page_lists_tokens_and_revokes_one(app, client, ann):
    keep, drop = make_token(app, ann), make_token(app, ann)
    client.get("/api/v1/me", headers=bearer(keep))
    log_in(client, ann)
    page = settings_page(client)
    assert "API tokens" in page and page.count(">Revoke</button>") == 2
    assert "never" in page and " UTC" in page  # `drop` was never used; dates in UTC
    actions = re.findall(r'action="(/account/tokens/\d+/revoke)"', page)
    assert client.post(actions[0]).status_code == 302  # the newest: `drop`
    assert not works(client, drop) and works(client, keep)
    assert settings_page(client).count(">Revoke</button>") == 1


def test_settings_page_revokes_all(app, client, ann):
    first, second = make_token(app, ann), make_token(app, ann)
    log_in(client, ann)
    response = client.post("/account/tokens/revoke-all", follow_redirects=True)
    assert b"2 tokens revoked." in response.data
    assert not works(client, first) and not works(client, second)
    assert "You have no API tokens" in settings_page(client)


def test_settings_page_cannot_revoke_someone_elses_token(app, client, ann):
    theirs = make_token(app, make_user(app, "bob@example.com"))
    with app.app_context():
        their_id = ApiToken.get().id
    log_in(client, ann)
    assert client.post(f"/account/tokens/{their_id}/revoke").status_code == 404
    assert client.post("/account/tokens/99999999999999999999/revoke").status_code == 404
    assert works(client, theirs)


def test_settings_page_revocation_checks_csrf(app, client, ann):
    token = make_token(app, ann)
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, ann)
    for path in ("/account/tokens/1/revoke", "/account/tokens/revoke-all"):
        assert client.post(path).status_code == 400
    assert works(client, token)


def test_last_use_is_recorded_only_for_the_token_used(app, client, ann):
    used, _unused = make_token(app, ann), make_token(app, ann)
    client.get("/api/v1/me", headers=bearer(used))
    with app.app_context():
        assert ApiToken.select().where(ApiToken.last_used_at.is_null(False)).count() == 1


def test_the_operators_set_password_ends_every_token(app, client, ann):
    """`scripts/ctl set-password` (admin.chores) goes through end_all_sessions."""
    from project.admin.chores import set_password

    token = make_token(app, ann)
    with app.app_context():
        set_password("alice@example.com", OWNER_PASSWORD)
    assert not works(client, token)


def test_a_token_issued_after_a_credential_change_works(app, client, ann):
    """New tokens carry the new stamp (found surviving by mutmut: issue_token without it)."""
    log_in(client, ann)
    client.post("/auth/logout-everywhere")
    response = client.post(
        "/api/v1/tokens", json={"email": "alice@example.com", "password": API_PASSWORD}
    )
    assert response.status_code == 201 and works(client, response.get_json()["token"])


def test_disabling_ends_tokens_even_if_the_account_comes_back_another_way(app, client, ann):
    """The stamp changes on disable itself, not only because the account is inactive."""
    from project.auth.service import set_active

    token = make_token(app, ann)
    with app.app_context():
        set_active(User.get(), False)
        User.update(active=True).execute()  # e.g. an operator's SQL, not set_active
    assert not works(client, token)
