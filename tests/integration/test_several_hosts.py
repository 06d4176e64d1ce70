"""Two app servers behind one load balancer: two bundles in two folders on two ports, one
PostgreSQL database and one secret key. Sessions and login throttling hold across both."""

from __future__ import annotations

import secrets

import pytest

from devkit.bundle import Bundle
from devkit.formclient import Browser
from devkit.services import postgres_admin_connection, postgres_url

pytestmark = pytest.mark.integration

PASSWORD = "granite-willow-58"


@pytest.fixture
def shared_database():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    name = f"skeleton_hosts_{secrets.token_hex(4)}"
    admin = postgres_admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def two_hosts(tmp_path, shared_database):
    env = {
        "APP_DATABASE_URL": shared_database,
        "APP_SECRET_KEY": secrets.token_urlsafe(48),
        "APP_SESSION_COOKIE_SECURE": "false",
        "APP_REMEMBER_COOKIE_SECURE": "false",
    }
    hosts = [Bundle.create(tmp_path / name, env=env) for name in ("host-a", "host-b")]
    try:
        for host in hosts:
            host.start("--workers", "2")
        yield hosts
    finally:
        for host in hosts:
            host.cleanup()


def create_user(host: Bundle, email: str) -> None:
    host.ctl("create-user", email, "--password-stdin", stdin=PASSWORD + "\n")


def test_session_from_one_host_is_valid_on_the_other(two_hosts):
    host_a, host_b = two_hosts
    create_user(host_a, "shared@example.com")
    browser = Browser()
    status, _ = browser.log_in(host_a.url, "shared@example.com", PASSWORD)
    assert status == 302
    assert browser.request(host_b.url + "/account")[0] == 200
    assert Browser().request(host_b.url + "/account")[0] == 302  # anonymous: sent to log in


def test_login_throttle_tripped_on_one_host_holds_on_the_other(two_hosts):
    host_a, host_b = two_hosts
    browser = Browser()
    statuses = [
        browser.log_in(host_a.url, "victim@example.com", "wrong-guess-1")[0] for _ in range(12)
    ]
    assert statuses[-1] == 429, statuses
    status, headers = browser.log_in(host_b.url, "victim@example.com", "wrong-guess-2")
    assert status == 429
    assert int(headers["Retry-After"]) > 0
