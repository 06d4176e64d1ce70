"""Failed-login throttling: per account, per address, in the database, refused before hashing."""

from datetime import timedelta

import pytest

from devkit.accounts import PASSWORD
from project.app import create_app
from project.auth import service, throttle
from project.auth.service import InvalidCredentials, Throttled, authenticate
from project.extensions import db
from project.models import LoginFailure, utcnow

WRONG = "wrong-password-9"


@pytest.fixture
def limits(app):
    app.config.update(
        LOGIN_THROTTLE_PER_ACCOUNT=3, LOGIN_THROTTLE_PER_ADDRESS=5, LOGIN_THROTTLE_WINDOW=600
    )
    return app


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the throttle module (the database stores what it says)."""
    state = {"now": utcnow()}
    monkeypatch.setattr(throttle, "utcnow", lambda: state["now"])
    return state


def fail(email="ann@example.com", ip="10.0.0.1", password=WRONG):
    with pytest.raises(InvalidCredentials):
        authenticate(email, password, ip)


def test_account_is_throttled_after_its_limit(limits, auth):
    auth.create_user()
    with limits.app_context():
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # spread over addresses
            fail(ip=ip)
        with pytest.raises(Throttled) as caught:
            authenticate("ann@example.com", PASSWORD, "10.0.0.4")  # even the right password
    assert 0 < caught.value.retry_after <= 600


def test_address_is_throttled_after_its_limit(limits):
    with limits.app_context():
        for n in range(5):
            fail(email=f"user{n}@example.com")  # a different account each time
        with pytest.raises(Throttled):
            authenticate("other@example.com", WRONG, "10.0.0.1")
        fail(email="other@example.com", ip="10.0.0.9")  # another address is not affected


def test_unknown_email_counts_like_a_wrong_password(limits):
    with limits.app_context():
        for _ in range(3):
            fail(email="nobody@example.com", ip=None)
        with pytest.raises(Throttled):
            authenticate("NOBODY@example.com ", WRONG, "10.9.9.9")  # normalised: same account


def test_throttle_expires_after_the_window(limits, auth, clock):
    auth.create_user()
    with limits.app_context():
        for _ in range(3):
            fail()
        clock["now"] += timedelta(seconds=599)
        with pytest.raises(Throttled) as caught:
            authenticate("ann@example.com", PASSWORD, "10.0.0.2")
        assert caught.value.retry_after == 1
        clock["now"] += timedelta(seconds=2)
        assert authenticate("ann@example.com", PASSWORD, "10.0.0.2").email == "ann@example.com"


def test_refused_attempts_do_not_extend_the_lockout(limits, auth, clock):
    auth.create_user()
    with limits.app_context():
        for _ in range(3):
            fail()
        for _ in range(20):
            clock["now"] += timedelta(seconds=25)
            with pytest.raises(Throttled):
                authenticate("ann@example.com", WRONG, "10.0.0.1")
        clock["now"] += timedelta(seconds=101)
        assert authenticate("ann@example.com", PASSWORD, "10.0.0.1")


def test_success_clears_the_account_count_but_not_the_address(limits, auth):
    auth.create_user()
    with limits.app_context():
        fail()
        fail()
        authenticate("ann@example.com", PASSWORD, "10.0.0.1")
        fail()
        fail()  # 2 after the success: under the account limit of 3
        fail(email="x@example.com")  # the address has 5 failures now
        with pytest.raises(Throttled):
            authenticate("ann@example.com", PASSWORD, "10.0.0.1")


def test_throttled_attempts_are_refused_before_any_hashing(limits, monkeypatch):
    calls = []
    monkeypatch.setattr(service, "verify_password", lambda *a, **k: calls.append(1) or False)
    monkeypatch.setattr(service, "hash_password", lambda *a, **k: calls.append(2) or "")
    with limits.app_context():
        for _ in range(3):
            fail()
        assert len(calls) == 3
        with pytest.raises(Throttled):
            authenticate("ann@example.com", WRONG, "10.0.0.1")
    assert len(calls) == 3


def test_unknown_email_and_wrong_password_do_the_same_work(limits, auth, monkeypatch):
    """Same message, and one argon2 verification each (a dummy hash for unknown emails)."""
    auth.create_user()
    verified = []
    real_verify = service.verify_password

    def spy(password_hash, password, config=None):
        verified.append(password_hash.split("$")[3])  # the parameters part
        return real_verify(password_hash, password, config)

    monkeypatch.setattr(service, "verify_password", spy)
    with limits.app_context():
        with pytest.raises(InvalidCredentials) as unknown:
            authenticate("nobody@example.com", WRONG, "10.0.0.1")
        with pytest.raises(InvalidCredentials) as wrong:
            authenticate("ann@example.com", WRONG, "10.0.0.2")
        with pytest.raises(InvalidCredentials) as malformed:
            authenticate("not an email", WRONG, "10.0.0.3")
    assert str(unknown.value) == str(wrong.value) == str(malformed.value)
    assert len(verified) == 3 and len(set(verified)) == 1


def test_login_page_answers_429_with_retry_after(limits, auth):
    auth.create_user()
    for _ in range(3):
        assert auth.login(password=WRONG).status_code == 200
    response = auth.login()
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 600
    assert throttle_text(response).encode() in response.data
    assert auth.client.get("/account").status_code == 302


def throttle_text(response) -> str:
    """The one throttle sentence, for the wait the response announces."""
    return str(Throttled(int(response.headers["Retry-After"])))


@pytest.mark.parametrize(
    ("seconds", "wait"),
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "about 1 minute"),
        (61, "about 2 minutes"),
        (897, "about 15 minutes"),
    ],
)
def test_the_throttle_sentence_says_how_long_to_wait(seconds, wait):
    assert str(Throttled(seconds)) == f"Too many attempts. Try again in {wait}."


def test_login_page_throttles_per_remote_address(limits, auth):
    for n in range(5):
        auth.client.post(
            "/auth/login",
            data={"email": f"u{n}@example.com", "password": WRONG},
            environ_base={"REMOTE_ADDR": "192.0.2.7"},
        )
    response = auth.client.post(
        "/auth/login",
        data={"email": "fresh@example.com", "password": WRONG},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 429
    assert auth.login(email="fresh@example.com", password=WRONG).status_code == 200


def test_counts_live_in_the_database_shared_by_every_worker(limits, auth, database_url):
    """A second app on the same database (another worker or host) sees the same failures."""
    auth.create_user()
    with limits.app_context():
        for _ in range(3):
            fail()
        db.close()
    db.obj.close_all()
    other = create_app(
        "test", overrides={"DATABASE_URL": database_url, "LOGIN_THROTTLE_PER_ACCOUNT": 3}
    )
    with other.app_context():
        assert LoginFailure.select().where(LoginFailure.scope == "account").count() == 3
        with pytest.raises(Throttled):
            authenticate("ann@example.com", PASSWORD, "10.0.0.8")
        db.close()


def test_expired_rows_are_purged(limits, clock):
    with limits.app_context():
        fail()
        clock["now"] += timedelta(seconds=601)
        fail(email="b@example.com", ip="10.0.0.2")
        keys = {(row.scope, row.key) for row in LoginFailure.select()}
    assert keys == {("account", "b@example.com"), ("address", "10.0.0.2")}


def test_wrong_current_password_on_settings_counts_and_is_throttled(limits, auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": WRONG, "new_password": "amber-canyon-77"}
    data["confirm"] = data["new_password"]
    for _ in range(3):
        assert client.post("/account/settings", data=data).status_code == 200
    response = client.post("/account/settings", data={**data, "current_password": PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    auth.logout()
    stranger = limits.test_client()  # the same account count as the login form...
    response = stranger.post("/auth/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert auth.login().status_code == 302  # ...but the owner's browser has a device cookie


def test_success_keeps_other_accounts_counts(limits, auth):
    """A login of one's own between guesses must not wipe the victim's count (mutation report)."""
    auth.create_user()
    with limits.app_context():
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            fail(email="victim@example.com", ip=ip)
        authenticate("ann@example.com", PASSWORD, "10.0.0.9")
        with pytest.raises(Throttled):
            authenticate("victim@example.com", WRONG, "10.0.0.8")


def test_retry_after_counts_from_the_oldest_failure(limits, clock):
    with limits.app_context():
        start = clock["now"]
        for n in range(3):
            clock["now"] = start + timedelta(seconds=100 * n)
            fail(ip=f"10.0.0.{n + 1}")
        clock["now"] = start + timedelta(seconds=300)
        with pytest.raises(Throttled) as caught:
            authenticate("ann@example.com", WRONG, "10.0.0.9")
    assert caught.value.retry_after == 300


def test_a_settings_failure_counts_for_the_clients_address(limits, auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": WRONG, "new_password": "amber-canyon-77"}
    client.post(
        "/account/settings",
        data={**data, "confirm": data["new_password"]},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    with limits.app_context():
        keys = {(row.scope, row.key) for row in LoginFailure.select()}
    assert keys == {("account", "ann@example.com"), ("address", "192.0.2.44")}


def test_a_right_current_password_counts_nothing(limits, auth, client):
    auth.create_user()
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "amber-canyon-77"}
    assert client.post("/account/settings", data={**data, "confirm": data["new_password"]})
    with limits.app_context():
        assert LoginFailure.select().count() == 0


def test_login_log_lines_carry_the_client_address(limits, auth, monkeypatch):
    auth.create_user()
    lines = []
    monkeypatch.setattr(service.log, "info", lambda message, *args: lines.append(message % args))
    with limits.app_context():
        fail(ip="10.0.0.7")
        authenticate("ann@example.com", PASSWORD, "10.0.0.8")
    assert lines == [
        "login failed for 'ann@example.com' from 10.0.0.7",
        "login ok for user 1 from 10.0.0.8",
    ]


def test_a_successful_attempt_leaves_no_row_and_clears_its_device(limits, auth):
    auth.create_user()
    with limits.app_context():
        for _ in range(2):
            with pytest.raises(InvalidCredentials):
                authenticate("ann@example.com", WRONG, "10.0.0.1", device="nonce-1")
        keys = [(row.scope, row.key) for row in LoginFailure.select()]
        assert keys == [("device", "nonce-1")] * 2  # a known device: its own count only
        authenticate("ann@example.com", PASSWORD, "10.0.0.2", device="nonce-1")
        assert LoginFailure.select().count() == 0


def test_a_device_is_counted_instead_of_the_account(limits, auth):
    limits.config["LOGIN_THROTTLE_PER_DEVICE"] = 2
    auth.create_user()
    with limits.app_context():
        for _ in range(2):
            with pytest.raises(InvalidCredentials):
                authenticate("ann@example.com", WRONG, "10.0.0.1", device="nonce-1")
        with pytest.raises(Throttled):
            authenticate("ann@example.com", PASSWORD, "10.0.0.2", device="nonce-1")
        assert authenticate("ann@example.com", PASSWORD, "10.0.0.3", device="nonce-2")
        assert authenticate("ann@example.com", PASSWORD, "10.0.0.3")  # no account failures


def test_defaults(app):
    config = app.config
    assert (config["LOGIN_THROTTLE_PER_ACCOUNT"], config["LOGIN_THROTTLE_PER_ADDRESS"]) == (10, 30)
    assert (config["LOGIN_THROTTLE_PER_DEVICE"], config["LOGIN_THROTTLE_WINDOW"]) == (10, 900)
    assert config["PROXY_HOPS"] == 0  # X-Forwarded-For is not believed by default
