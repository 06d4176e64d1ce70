"""Two app servers behind one load balancer: two bundles in two folders on two ports, one
PostgreSQL database and one secret key. Sessions and login throttling hold across both."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import urllib.parse
import urllib.request

import pytest

from devkit.bundle import Bundle

pytestmark = pytest.mark.integration

ADMIN_DB_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "granite-willow-58"


def connect_admin():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        connection = psycopg2.connect(ADMIN_DB_URL, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL does not answer at {ADMIN_DB_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_DB_URL}: several-hosts test skipped")
    connection.autocommit = True
    return connection


@pytest.fixture
def shared_database():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    name = f"skeleton_hosts_{secrets.token_hex(4)}"
    admin = connect_admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_DB_URL.rsplit("/", 1)[0] + "/" + name
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


class Browser:
    """A cookie jar that may send its cookies to either host (both are 127.0.0.1)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        handler = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(handler, NoRedirect)

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=15) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def csrf_token(self, url: str) -> str:
        _, html, _ = self.request(url)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def log_in(self, base: str, email: str, password: str) -> tuple[int, dict]:
        token = self.csrf_token(base + "/auth/login")
        form = {"csrf_token": token, "email": email, "password": password}
        status, _, headers = self.request(base + "/auth/login", form)
        return status, headers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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
