"""Session cookies: flags, the rotating session token, remember-me, tampering."""

from devkit.accounts import PASSWORD
from project.app import create_app
from project.auth.service import create_user
from project.auth.sessions import hash_secret
from project.config import load_config
from project.extensions import db
from project.migrate import apply_pending
from project.models import LoginSession, User

CHEAP_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def set_cookie_header(response, name):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_session_and_remember_cookies_are_httponly_and_lax(auth):
    auth.create_user()
    response = auth.login(remember=True)
    for name in ("session", "remember_token"):
        header = set_cookie_header(response, name)
        assert "HttpOnly" in header and "SameSite=Lax" in header
        assert "Secure" not in header  # the test config serves plain HTTP


def test_prod_cookies_are_secure_unless_overridden_for_plain_http(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    environ = {"APP_SECRET_KEY": "k" * 40, "APP_PUBLIC_URL": "https://localhost"}
    prod = load_config("prod", environ=environ)
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["REMEMBER_COOKIE_SECURE"] is True
    plain = {"APP_SESSION_COOKIE_SECURE": "false", "APP_REMEMBER_COOKIE_SECURE": "false"}
    prod_http = load_config("prod", environ={**environ, **plain})
    assert prod_http["SESSION_COOKIE_SECURE"] is False
    assert prod_http["REMEMBER_COOKIE_SECURE"] is False


def test_prod_login_sets_secure_cookies(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("APP_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("APP_PUBLIC_URL", "https://localhost")
    app = create_app("prod", overrides={"DATABASE_URL": database_url, **CHEAP_HASHING})
    with app.app_context():
        apply_pending()
        create_user("ann@example.com", PASSWORD)
        db.close()
    data = {"email": "ann@example.com", "password": PASSWORD, "remember": "y"}
    client = app.test_client()
    token = client.get("/auth/login", base_url="https://localhost")  # a session for the CSRF token
    csrf = token.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0]
    response = client.post(
        "/auth/login",
        data={**data, "csrf_token": csrf.decode()},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/auth/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    for name in ("session", "remember_token", "device"):
        assert "Secure" in set_cookie_header(response, name)
    db.obj.close_all()


def test_session_stores_a_login_session_secret_not_the_id(auth, client, app):
    user = auth.create_user()
    auth.login()
    with client.session_transaction() as sess:
        assert sess["_user_id"] not in (user.session_token, str(user.id))
    with app.app_context():
        assert LoginSession.get().key_hash == hash_secret(sess["_user_id"])


def test_login_starts_a_fresh_session(auth, client):
    auth.create_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by someone before login"
    auth.login()
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_password_change_logs_out_other_sessions_and_remember_cookies(auth, app, client):
    auth.create_user()
    other = app.test_client()
    other.post(
        "/auth/login", data={"email": "ann@example.com", "password": PASSWORD, "remember": "y"}
    )
    remembered_only = app.test_client()
    remembered_only.set_cookie("remember_token", other.get_cookie("remember_token").value)
    assert other.get("/account").status_code == 200
    assert remembered_only.get("/account").status_code == 200
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "amber-canyon-77"}
    client.post("/account/settings", data={**data, "confirm": "amber-canyon-77"})
    assert client.get("/account").status_code == 200
    fresh = app.test_client()
    fresh.set_cookie("remember_token", other.get_cookie("remember_token").value)
    assert other.get("/account").status_code == 302
    assert fresh.get("/account").status_code == 302


def test_log_out_everywhere_ends_every_session(auth, app, client):
    auth.create_user()
    other = app.test_client()
    other.post(
        "/auth/login", data={"email": "ann@example.com", "password": PASSWORD, "remember": "y"}
    )
    auth.login()
    old_token = client.get_cookie("session").value
    response = client.post("/auth/logout-everywhere")
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/account").status_code == 302
    assert other.get("/account").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old_token)
    assert replay.get("/account").status_code == 302


def test_logout_deletes_the_remember_cookie(auth, client):
    auth.create_user()
    auth.login(remember=True)
    assert client.get_cookie("remember_token") is not None
    auth.logout()
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_remember_cookie_logs_in_a_new_browser_session(auth, app, client):
    auth.create_user()
    auth.login(remember=True)
    browser_restarted = app.test_client()
    browser_restarted.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert browser_restarted.get("/account").status_code == 200


def test_tampered_session_cookie_is_anonymous_not_an_error(auth, client):
    auth.create_user()
    auth.login()
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/account").status_code == 302
    client.set_cookie("session", "garbage\x7f;;==")
    assert client.get("/").status_code == 200


def test_tampered_remember_cookie_is_anonymous_not_an_error(auth, app, client):
    auth.create_user()
    auth.login(remember=True)
    forged = app.test_client()
    forged.set_cookie("remember_token", client.get_cookie("remember_token").value + "x")
    assert forged.get("/account").status_code == 302
    forged.set_cookie("remember_token", "1|deadbeef")
    assert forged.get("/account").status_code == 302


def test_old_style_id_cookie_does_not_load_a_user(auth, app):
    """A session claiming the numeric id (as the original did) must not log anyone in."""
    user = auth.create_user()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
    assert client.get("/account").status_code == 302


def test_session_token_is_random_per_user(auth, app):
    auth.create_user("a@example.com")
    auth.create_user("b@example.com")
    with app.app_context():
        tokens = [u.session_token for u in User.select()]
    assert len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)
