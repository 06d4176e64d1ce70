"""Server-side login sessions: logout, idle and absolute expiry, the list on the settings page.

Each attack replays cookies copied from a browser, as someone with access to a shared or stolen
machine would, after the owner did what should have ended the session.
"""

from datetime import timedelta

import pytest

from devkit.accounts import PASSWORD
from project.auth import sessions
from project.extensions import db
from project.models import LoginSession, User, utcnow

OTHER_PASSWORD = "amber-canyon-77"


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the sessions module (rows are created at the real time)."""
    state = {"now": utcnow()}
    monkeypatch.setattr(sessions, "utcnow", lambda: state["now"])
    return state


def copy_of(app, client, *names):
    """A new browser holding only the named cookies of `client`."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def log_in_elsewhere(app, remember=False, agent="OtherBrowser/1.0"):
    other = app.test_client()
    data = {"email": "ann@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    headers = {"User-Agent": agent}
    response = other.post("/auth/login", data=data, headers=headers)
    assert response.status_code == 302
    return other


def rows(app):
    with app.app_context():
        return list(LoginSession.select().order_by(LoginSession.id))


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_after_logout(auth, app, client, cookie):
    """F-05: both cookies were accepted after "Log out" (31 days, and forever)."""
    auth.create_user()
    auth.login(remember=True)
    thief = copy_of(app, client, cookie)
    assert thief.get("/account").status_code == 200
    auth.logout()
    assert thief.get("/account").status_code == 302
    assert rows(app) == []


def test_remember_cookie_expires_on_the_server(auth, app, client, clock):
    """F-15: the remember cookie's 30 days lived only in the browser's Expires."""
    auth.create_user()
    auth.login(remember=True)
    thief = copy_of(app, client, "remember_token")
    for _ in range(29):  # used every day: never idle, but the absolute lifetime still ends it
        clock["now"] += timedelta(days=1)
        assert thief.get("/account").status_code == 200
    clock["now"] += timedelta(days=1, seconds=1)
    assert thief.get("/account").status_code == 302
    assert rows(app) == []  # the expired row is deleted when it is refused


def test_a_session_without_remember_me_ends_after_30_idle_minutes(auth, app, client, clock):
    auth.create_user()
    auth.login()
    clock["now"] += timedelta(minutes=29)
    assert client.get("/account").status_code == 200  # in use: idle time starts again
    clock["now"] += timedelta(minutes=29)
    assert client.get("/account").status_code == 200
    clock["now"] += timedelta(minutes=31)
    assert client.get("/account").status_code == 302


def test_remember_me_allows_30_idle_days_not_more(auth, app, client, clock):
    auth.create_user()
    auth.login(remember=True)
    clock["now"] += timedelta(days=2)
    assert client.get("/account").status_code == 200
    clock["now"] += timedelta(days=30, seconds=1)
    assert client.get("/account").status_code == 302


def test_timeouts_are_settings(auth, app, client, clock):
    app.config.update(SESSION_IDLE_TIMEOUT=60, SESSION_MAX_LIFETIME=300)
    auth.create_user()
    auth.login()
    clock["now"] += timedelta(seconds=61)
    assert client.get("/account").status_code == 302
    auth.login(remember=True)  # at the real time, 61 s before the clock
    for _ in range(4):
        clock["now"] += timedelta(seconds=59)
        assert client.get("/account").status_code == 200
    clock["now"] += timedelta(seconds=10)
    assert client.get("/account").status_code == 302  # 307 s after logging in


def test_last_seen_is_written_at_most_once_a_minute(auth, app, client, clock, monkeypatch):
    auth.create_user()
    auth.login()
    (row,) = rows(app)
    writes = []
    real_update = LoginSession.update

    def counted(*args, **kwargs):
        writes.append(1)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(LoginSession, "update", counted)
    for _ in range(5):
        clock["now"] += timedelta(seconds=10)
        assert client.get("/account").status_code == 200
    assert writes == [] and rows(app)[0].last_seen_at == row.last_seen_at
    clock["now"] += timedelta(seconds=11)  # 61 s after the login
    client.get("/account")
    assert writes == [1] and rows(app)[0].last_seen_at == clock["now"]


def test_one_indexed_read_per_request(auth, app, client):
    """The user comes with its session row in one query, by the unique index on key_hash."""
    auth.create_user()
    auth.login()
    client.get("/account")  # past the login redirect
    statements = []
    real = db.obj.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return real(sql, params, *args, **kwargs)

    db.obj.execute_sql = spy
    try:
        assert client.get("/account").status_code == 200
    finally:
        del db.obj.execute_sql
    assert len(statements) == 1 and '"key_hash" = ' in statements[0]
    with app.app_context():
        unique = [i for i in db.get_indexes("login_sessions") if i.columns == ["key_hash"]]
    assert unique and unique[0].unique


def test_the_database_keeps_only_a_hash_of_the_cookie_secret(auth, app, client):
    auth.create_user()
    auth.login(remember=True)
    with client.session_transaction() as sess:
        secret = sess["_user_id"]
    (row,) = rows(app)
    assert secret not in (row.key_hash, str(row.user_id)) and len(secret) >= 40
    assert row.key_hash == sessions.hash_secret(secret)
    with app.app_context():
        assert secret != User.get().session_token


def test_settings_lists_the_sessions_with_device_and_address(auth, app, client):
    auth.create_user()
    log_in_elsewhere(app, agent="Phone/2.0 (Android)")
    client.post(
        "/auth/login",
        data={"email": "ann@example.com", "password": PASSWORD},
        headers={"User-Agent": "Desk/1.0"},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    page = client.get("/account/settings").get_data(as_text=True)
    assert "Phone/2.0 (Android)" in page and "Desk/1.0" in page
    assert "198.51.100.4" in page
    assert page.count("(this session)") == 1
    assert page.index("Desk/1.0") < page.index("(this session)") < page.index("Phone/2.0")


def test_end_one_other_session(auth, app, client):
    auth.create_user()
    phone = log_in_elsewhere(app, remember=True)
    laptop = log_in_elsewhere(app)
    auth.login()
    phone_row = rows(app)[0]
    response = client.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert b"That session is logged out." in client.get(response.location).data
    again = client.post(f"/account/sessions/{phone_row.id}/end")
    assert b"That session has ended already." in client.get(again.location).data
    assert phone.get("/account").status_code == 302
    assert copy_of(app, phone, "remember_token").get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200
    assert client.get("/account").status_code == 200


def test_ending_this_session_from_the_list_logs_out(auth, app, client):
    auth.create_user()
    auth.login()
    (row,) = rows(app)
    response = client.post(f"/account/sessions/{row.id}/end")
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/account").status_code == 302


def test_nobody_ends_another_users_session(auth, app, client):
    auth.create_user()
    auth.create_user("bob@example.com")
    bob = app.test_client()
    bob.post("/auth/login", data={"email": "bob@example.com", "password": PASSWORD})
    auth.login()
    bobs = next(row for row in rows(app) if row.user_id != rows(app)[-1].user_id)
    client.post(f"/account/sessions/{bobs.id}/end")
    assert bob.get("/account").status_code == 200
    assert client.post("/account/sessions/99999999999999999999/end").status_code == 404


def test_log_out_other_devices_keeps_this_one(auth, app, client):
    auth.create_user()
    others = [log_in_elsewhere(app), log_in_elsewhere(app, remember=True)]
    remembered = copy_of(app, others[1], "remember_token")
    auth.login()
    response = client.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert b"Logged out 2 other sessions" in client.get("/account/settings").data
    assert [c.get("/account").status_code for c in (*others, remembered)] == [302] * 3
    assert client.get("/account").status_code == 200
    assert len(rows(app)) == 1


def test_ending_sessions_needs_a_login(client):
    for path in ("/account/sessions/1/end", "/account/sessions/end-others"):
        assert client.post(path).status_code == 302


def test_password_reset_ends_every_session(auth, app, client):
    auth.create_user()
    other = log_in_elsewhere(app, remember=True)
    remembered = copy_of(app, other, "remember_token")
    with app.app_context():
        from project.auth.signed_links import reset_token

        token = reset_token(User.get())
    data = {"password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD}
    assert client.post(f"/auth/reset/{token}", data=data).status_code == 302
    assert other.get("/account").status_code == 302
    assert remembered.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
    assert len(rows(app)) == 1


def test_disabling_an_account_deletes_its_sessions(auth, app, client):
    from project.auth.service import set_active

    user = auth.create_user()
    auth.login(remember=True)
    with app.app_context():
        set_active(User.get_by_id(user.id), False)
        set_active(User.get_by_id(user.id), True)  # re-enabling revives nothing
    assert rows(app) == []
    assert client.get("/account").status_code == 302


def test_the_operators_set_password_ends_every_session(auth, app, client):
    from project.admin import chores

    auth.create_user()
    auth.login(remember=True)
    remembered = copy_of(app, client, "remember_token")
    with app.app_context():
        chores.set_password("ann@example.com", OTHER_PASSWORD)
    assert client.get("/account").status_code == 302
    assert remembered.get("/account").status_code == 302
    assert rows(app) == []


def test_a_login_deletes_the_users_expired_rows_only(auth, app, clock):
    auth.create_user()
    auth.create_user("bob@example.com")
    log_in_elsewhere(app)  # left idle: ends after 30 minutes
    log_in_elsewhere(app, remember=True)  # lives on
    bob = app.test_client()
    bob.post("/auth/login", data={"email": "bob@example.com", "password": PASSWORD})
    clock["now"] += timedelta(minutes=31)
    with app.test_request_context():
        user = User.get(User.email == "ann@example.com")
        assert sessions.purge_expired(user) == 1
    assert [(row.user_id, row.remember) for row in rows(app)] == [(1, True), (2, False)]


def test_a_password_change_keeps_remember_me_on_this_device_only(auth, app, client):
    auth.create_user()
    auth.login(remember=True)
    old_cookie = client.get_cookie("remember_token").value
    data = {"current_password": PASSWORD, "new_password": OTHER_PASSWORD}
    client.post("/account/settings", data={**data, "confirm": OTHER_PASSWORD})
    new_cookie = client.get_cookie("remember_token").value
    assert new_cookie != old_cookie
    (row,) = rows(app)
    assert row.remember
    restarted = app.test_client()
    restarted.set_cookie("remember_token", new_cookie)
    assert restarted.get("/account").status_code == 200
    replayed = app.test_client()
    replayed.set_cookie("remember_token", old_cookie)
    assert replayed.get("/account").status_code == 302


def test_logging_out_ends_only_this_session(auth, app, client):
    auth.create_user()
    auth.create_user("bob@example.com")
    bob = app.test_client()
    bob.post("/auth/login", data={"email": "bob@example.com", "password": PASSWORD})
    phone = log_in_elsewhere(app)
    auth.login()
    auth.logout()
    assert bob.get("/account").status_code == 200
    assert phone.get("/account").status_code == 200
    assert len(rows(app)) == 2


def test_the_list_shows_only_the_users_own_sessions(auth, app, client):
    auth.create_user()
    auth.create_user("bob@example.com")
    bob = app.test_client()
    bob.post(
        "/auth/login",
        data={"email": "bob@example.com", "password": PASSWORD},
        headers={"User-Agent": "BobsBrowser/1.0"},
        environ_base={"REMOTE_ADDR": "192.0.2.99"},
    )
    auth.login()
    page = client.get("/account/settings").get_data(as_text=True)
    assert "BobsBrowser" not in page and "192.0.2.99" not in page


def test_refusing_an_expired_session_deletes_only_that_one(auth, app, client, clock):
    auth.create_user()
    auth.login()  # 30 idle minutes
    kept = log_in_elsewhere(app, remember=True)  # 30 idle days
    clock["now"] += timedelta(minutes=31)
    assert client.get("/account").status_code == 302
    assert [row.remember for row in rows(app)] == [True]
    assert kept.get("/account").status_code == 200
