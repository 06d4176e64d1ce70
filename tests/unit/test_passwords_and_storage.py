"""Password rules, argon2id-only storage, rehash on login, and no password in any log."""

import logging

import pytest

from devkit.accounts import PASSWORD
from project.auth import service
from project.auth.service import AccountError, authenticate, check_password_rules
from project.extensions import db
from project.models import User


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("seven77", "at least 8 characters"),
        ("x" * 129, "at most 128 characters"),
        ("password", "most common"),
        ("iloveyou", "most common"),
        ("PassWord1", "most common"),  # case does not make a common password rare
        (" 12345678 ", "most common"),
        ("qwertyuiop", "most common"),
    ],
)
def test_password_rules_refuse(password, message):
    with pytest.raises(AccountError, match=message) as caught:
        check_password_rules(password)
    assert repr(password) not in str(caught.value)  # never quoted back


@pytest.mark.parametrize("password", ["x" * 8, "violet-harbor-42", "y" * 128, "ünïcødé-pässwörd"])
def test_password_rules_accept(password):
    check_password_rules(password)


def test_common_password_list_is_shipped_and_large():
    common = service.common_passwords()
    assert len(common) >= 10_000 - 10
    assert {"password", "123456789", "sunshine", "football"} <= common


def test_create_user_applies_the_rules(app):
    with app.app_context(), pytest.raises(AccountError, match="most common"):
        service.create_user("ann@example.com", "baseball")


def test_database_holds_only_argon2id_hashes(auth, app, client):
    auth.register()
    auth.create_user("bob@example.com", password="amber-canyon-77")
    with app.app_context():
        hashes = [u.password_hash for u in User.select()]
        dump = all_text_in_database()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$v=19$") for h in hashes)
    assert PASSWORD not in dump and "amber-canyon-77" not in dump


def all_text_in_database() -> str:
    """Every value of every table, as one string."""
    parts = []
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalog)
        parts.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(parts)


def test_hash_is_upgraded_on_login_when_parameters_change(auth, app):
    auth.create_user()
    app.config["ARGON2_TIME_COST"] = 2
    with app.app_context():
        before = User.get(User.email == "ann@example.com").password_hash
        assert "t=1" in before
        authenticate("ann@example.com", PASSWORD, "127.0.0.1")
        after = User.get(User.email == "ann@example.com").password_hash
    assert after.startswith("$argon2id$") and "t=2" in after
    assert auth.login().status_code == 302  # the new hash verifies


def test_no_password_reaches_any_log(auth, client, app, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = [PASSWORD, "wrong-password-9", "amber-canyon-77", "password123"]
    auth.register()
    auth.logout()
    auth.login(password="wrong-password-9")
    auth.login(email="nobody@example.com", password="wrong-password-9")
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "amber-canyon-77"}
    client.post("/account/settings", data={**data, "confirm": "amber-canyon-77"})
    auth.register(email="eve@example.com", password="password123")
    assert "login failed" in caplog.text and "login ok" in caplog.text  # logging did happen
    for secret in secrets:
        assert secret not in caplog.text


def test_dummy_hash_is_made_when_the_app_is_built(database_url, tmp_path, monkeypatch):
    """F-27: the first unknown-email login paid for the dummy hash (slower: a timing oracle)."""
    from devkit.testapp import close_all
    from project.app import create_app
    from project.migrate import apply_pending

    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    service._dummy_hash.cache_clear()
    app = create_app("test", overrides={"DATABASE_URL": database_url})
    with app.app_context():
        apply_pending()
        db.close()

    def no_hashing(*args, **kwargs):
        raise AssertionError("a hash was computed during the request")

    monkeypatch.setattr(service, "hash_password", no_hashing)
    response = app.test_client().post(
        "/auth/login", data={"email": "nobody@example.com", "password": "whatever-pass-1"}
    )
    assert response.status_code == 200 and b"Invalid email or password." in response.data
    close_all(db)
