"""`scripts/ctl check` (run_checks): one error per problem on a weak setup, none on a correct
one. Root is simulated both ways (the checks read os.geteuid); the database is real."""

from __future__ import annotations

import os
import secrets

import pytest

from project.deploy import checks, preflight, privacy
from project.deploy.checks import ERROR, OK, WARN, run_checks
from project.deploy.settings import DeploySettings


@pytest.fixture
def private_umask():
    old = os.umask(privacy.UMASK)
    yield
    os.umask(old)


def prepared(settings: DeploySettings) -> DeploySettings:
    """var/ made and the database migrated, as `start` does before its processes."""
    preflight.make_var_dirs(settings)
    preflight.run_migrations(settings)
    return settings


def errors(settings: DeploySettings) -> list[str]:
    return [message for level, message in run_checks(settings) if level == ERROR]


def test_a_correct_setup_has_no_error(tmp_path, monkeypatch, private_umask):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    settings = DeploySettings(
        config_name="prod",
        var_dir=str(tmp_path / "var"),
        environment={"APP_SECRET_KEY": secrets.token_urlsafe(48), "APP_LOG_LEVEL": "INFO"},
    )
    assert errors(prepared(settings)) == []


def test_a_weak_setup_gets_one_error_per_problem(tmp_path, monkeypatch, private_umask):
    monkeypatch.setattr(os, "geteuid", lambda: 0)  # root
    settings = DeploySettings(
        config_name="test",  # the published development key
        var_dir=str(tmp_path / "var"),
        environment={"APP_SESSION_COOKIE_SECURE": "false"},  # a saved insecure override
    )
    prepared(settings)
    database = tmp_path / "var" / "data" / "test.db"
    database.chmod(0o644)  # world-readable, as older versions left it
    found = errors(settings)
    expected = [
        "the secret key is the published development key",
        "other local users can read runtime files: var/data/test.db (644)",
        "running as root",
        "saved override APP_SESSION_COOKIE_SECURE=false: session cookies travel over plain HTTP",
    ]
    assert len(found) == len(expected), found
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start), (message, start)


@pytest.mark.parametrize("config", ["dev", "prod"])
def test_the_development_key_is_an_error_under_every_config(tmp_path, config, private_umask):
    from project.config import DEV_SECRET_KEY

    settings = DeploySettings(
        config_name=config,
        var_dir=str(tmp_path / "var"),
        environment={"APP_SECRET_KEY": DEV_SECRET_KEY},
    )
    preflight.make_var_dirs(settings)
    found = " | ".join(errors(settings))
    assert "development" in found and "secret key" in found


def cookie_warnings(environment: dict, config_name: str = "prod", **kwargs) -> list[str]:
    settings = DeploySettings(config_name=config_name, environment=environment, **kwargs)
    return [message for level, message in checks.check_cookies(settings) if level == WARN]


def test_check_warns_about_cookies_a_plain_http_site_breaks_or_exposes():
    """W4, C11: Secure cookies on an http public URL (browsers drop them: no login works);
    cookies without Secure (fine only for a plain-HTTP site)."""
    key = {"APP_SECRET_KEY": secrets.token_urlsafe(48)}
    lan = {**key, "APP_PUBLIC_URL": "http://192.0.2.7:8000"}
    (dropped,) = cookie_warnings(lan, host="0.0.0.0")
    assert "http://192.0.2.7:8000 is plain HTTP but the cookies are Secure" in dropped
    plain = {**lan, "APP_SESSION_COOKIE_SECURE": "false", "APP_REMEMBER_COOKIE_SECURE": "false"}
    (exposed,) = cookie_warnings(plain, host="0.0.0.0")
    assert "SESSION_COOKIE_SECURE, REMEMBER_COOKIE_SECURE off" in exposed
    https = {**key, "APP_PUBLIC_URL": "https://example.com"}
    assert cookie_warnings(https, host="0.0.0.0") == []
    assert cookie_warnings(key) == []  # loopback http: browsers keep Secure cookies there
    assert cookie_warnings(plain, config_name="dev") == []  # not prod: check_config says so


def test_catalogues_changed_since_their_compile_are_an_error(tmp_path):
    from types import SimpleNamespace

    from project.deploy.layout import PACKAGE

    po = tmp_path / PACKAGE / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text("")
    settings = SimpleNamespace(root=tmp_path)
    assert [m for _, m in checks.check_translations(settings)] == [
        "translations not compiled: zh_CN: run scripts/ctl i18n compile"
    ]
    po.with_suffix(".mo").write_bytes(b"")
    assert list(checks.check_translations(settings)) == [(OK, "translations compiled")]
