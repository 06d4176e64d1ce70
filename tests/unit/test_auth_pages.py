"""Register, log in, log out, the account pages and the admin page, through the test client."""

import pytest

from devkit.accounts import PASSWORD
from project.models import User


def test_register_then_log_in_and_see_the_account(auth, client):
    response = auth.register(email="  Ann@Example.COM ")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert b"We sent a message to ann@example.com" in client.get("/auth/login").data
    assert client.get("/account").status_code == 302  # not logged in by registering
    assert auth.login(email="ann@example.com").status_code == 302
    page = client.get("/account")
    assert page.status_code == 200
    assert b"ann@example.com" in page.data


def test_register_requires_matching_confirmation(auth, app):
    response = auth.register(confirm="violet-harbor-43")
    assert response.status_code == 200
    assert b"The passwords do not match." in response.data
    with app.app_context():
        assert User.select().count() == 0


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, b"This field is required."),
        ("not-an-email", PASSWORD, b"Enter a valid email address."),
        ("a" * 250 + "@example.com", PASSWORD, b"Field cannot be longer than 254 characters."),
        ("ann@example.com", "", b"This field is required."),
        ("ann@example.com", "short1", b"Password must have at least 8 characters."),
        ("ann@example.com", "x" * 129, b"Password must have at most 128 characters."),
        ("ann@example.com", "password1", b"Password is one of the most common passwords"),
    ],
)
def test_register_rejects_bad_input_with_a_form_error(auth, app, email, password, message):
    response = auth.register(email=email, password=password, confirm=password or "x")
    assert response.status_code == 200
    assert message in response.data
    with app.app_context():
        assert User.select().count() == 0


def test_password_fields_never_render_their_value(auth):
    response = auth.register(password="short1", confirm="short1")
    assert b"short1" not in response.data
    auth.create_user()
    response = auth.login(password="wrong-password-9")
    assert b"wrong-password-9" not in response.data
    assert b'value="ann@example.com"' in response.data  # the email is kept for convenience


def test_login_with_wrong_password_is_a_form_error(auth, client):
    auth.create_user()
    response = auth.login(password="wrong-password-9")
    assert response.status_code == 200
    assert b"Invalid email or password." in response.data
    assert client.get("/account").status_code == 302


def test_login_and_logout(auth, client):
    auth.create_user()
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/account").status_code == 302


def test_logout_is_post_only(auth, client):
    auth.create_user()
    auth.login()
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_disabled_user_cannot_log_in(auth, app):
    user = auth.create_user()
    with app.app_context():
        User.update(active=False).where(User.id == user.id).execute()
    response = auth.login()
    assert b"Invalid email or password." in response.data


def test_anonymous_is_sent_to_login_and_back(auth, client):
    auth.create_user()
    response = client.get("/account/settings?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Faccount%2Fsettings%3Ftab%3D1"
    login_page = client.get(response.headers["Location"])
    assert b'action="/auth/login?next=/account/settings?tab%3D1"' in login_page.data
    response = auth.login(next="/account/settings?tab=1")
    assert response.headers["Location"] == "/account/settings?tab=1"


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example"]
)
def test_login_ignores_an_unsafe_next(auth, target):
    auth.create_user()
    response = auth.login(next=target)
    assert response.headers["Location"] == "/account"


def test_header_shows_logout_form_only_when_logged_in(auth, client):
    assert b'action="/auth/logout"' not in client.get("/").data
    auth.create_user()
    auth.login()
    page = client.get("/").data
    assert b'<form class="inline-form" method="post" action="/auth/logout">' in page
    assert b'name="csrf_token"' in page


def test_header_links_the_notes_page_for_a_logged_in_user(auth, client):
    nav = '<a href="/notes/">Notes</a>'
    assert nav not in client.get("/").get_data(as_text=True)
    auth.create_user()
    auth.login()
    assert nav in client.get("/").get_data(as_text=True)
    assert client.get("/notes/").status_code == 200


def test_password_change_requires_the_current_password(auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": "wrong-password-9", "new_password": "amber-canyon-77"}
    response = client.post("/account/settings", data={**data, "confirm": "amber-canyon-77"})
    assert response.status_code == 200
    assert b"Current password is wrong." in response.data
    auth.logout()
    assert auth.login().status_code == 302  # the old password still works


def test_password_change_applies_the_rules(auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "iloveyou", "confirm": "iloveyou"}
    response = client.post("/account/settings", data=data)
    assert b"one of the most common passwords" in response.data


def test_password_change_keeps_this_session_and_the_new_password_works(auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "amber-canyon-77"}
    response = client.post("/account/settings", data={**data, "confirm": "amber-canyon-77"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    assert b"Invalid email or password." in auth.login().data
    assert auth.login(password="amber-canyon-77").status_code == 302


def admin_and_user(auth):
    auth.create_user("root@example.com", role="admin")
    return auth.create_user("bob@example.com")


def test_admin_page_lists_users_for_admins(auth, client):
    admin_and_user(auth)
    auth.login("root@example.com")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert b"bob@example.com" in page.data and b"root@example.com" in page.data


def test_admin_page_is_forbidden_to_other_users(auth, client):
    admin_and_user(auth)
    auth.login("bob@example.com")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/1/disable").status_code == 403


def test_admin_page_sends_anonymous_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=%2Fadmin%2Fusers")


def test_admin_disables_and_enables_a_user(auth, client, app):
    bob = admin_and_user(auth)
    auth.login("root@example.com")
    assert client.post(f"/admin/users/{bob.id}/disable").status_code == 302
    with app.app_context():
        assert User.get_by_id(bob.id).active is False
    assert client.post(f"/admin/users/{bob.id}/enable").status_code == 302
    with app.app_context():
        assert User.get_by_id(bob.id).active is True


def test_disabling_ends_the_users_sessions(auth, app):
    bob = admin_and_user(auth)
    bob_client = app.test_client()
    bob_client.post("/auth/login", data={"email": "bob@example.com", "password": PASSWORD})
    assert bob_client.get("/account").status_code == 200
    auth.login("root@example.com")
    auth.client.post(f"/admin/users/{bob.id}/disable")
    auth.client.post(f"/admin/users/{bob.id}/enable")
    assert bob_client.get("/account").status_code == 302  # re-enabling revives no old cookie


def test_admin_cannot_disable_themselves(auth, client, app):
    admin_and_user(auth)
    auth.login("root@example.com")
    response = client.post("/admin/users/1/disable", follow_redirects=True)
    assert b"You cannot disable your own account." in response.data
    with app.app_context():
        assert User.get_by_id(1).active is True


def test_admin_action_on_unknown_user_is_404(auth, client):
    admin_and_user(auth)
    auth.login("root@example.com")
    assert client.post("/admin/users/999/disable").status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/admin/users/99999999999999999999999/disable"),
        ("POST", f"/admin/users/{2**31}/enable"),
        ("GET", "/admin/users?page=99999999999999999999999"),
        ("GET", f"/admin/users?page={2**31}"),
    ],
)
def test_huge_numbers_on_admin_pages_are_404_not_500(auth, client, app, method, path):
    """F-18: an integer beyond the database's overflowed it (500 and a traceback)."""
    from devkit.testapp import app_log_text

    app.testing = False  # errors become pages, as in production
    auth.create_user("root@example.com", role="admin")
    auth.login("root@example.com")
    assert client.open(path, method=method).status_code == 404
    assert "Traceback" not in app_log_text(app)
