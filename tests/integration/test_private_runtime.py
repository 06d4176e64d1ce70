"""The real bundle, seen by another local user (F-06, F-11, F-14).

The copy lives in a folder every user may enter (as a checkout in /srv or a home would be),
so only the bundle's own modes keep `nobody` out. After a registration, a password reset by
mail and a log-in, every path under var/ is private (no group or other bits) and `nobody`
can open none of it; the access log holds no reset token. With `--bind unix` only the socket
group reaches gunicorn.
"""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import stat
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.polling import wait_until
from devkit.sandbox import copy_project

pytestmark = pytest.mark.integration

NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"  # one `nobody` may run (the venv's lives under /root)
PASSWORD = "granite-willow-58"
NEW_PASSWORD = "copper-meadow-91"
# Cookies over plain HTTP for this test only (urllib keeps Secure cookies off http://).
PLAIN_HTTP = {"APP_SESSION_COOKIE_SECURE": "false", "APP_REMEMBER_COOKIE_SECURE": "false"}


@pytest.fixture
def bundle(public_folder):
    created = Bundle(copy_project(public_folder / "proj"), env=PLAIN_HTTP)
    yield created
    created.cleanup()


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, **headers) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310
        with self.opener.open(request, timeout=15) as response:
            return response.status, response.read().decode()

    def post_form(self, path: str, fields: dict) -> int:
        _, html = self.get(path)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        with self.opener.open(self.base + path, data=body, timeout=15) as response:
            return response.status


def newest_link(mail_dir: Path, count: int) -> str:
    files = wait_until(
        lambda: len(list(mail_dir.glob("*.eml"))) >= count and sorted(mail_dir.glob("*.eml"))
    )
    message = email.message_from_bytes(files[-1].read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return urllib.parse.urlsplit(re.search(r"https?://\S+", text).group(0)).path


def as_nobody(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command],
        capture_output=True,
        text=True,
        timeout=30,
    )


def use_the_site(bundle: Bundle) -> str:
    """Register, ask for a reset, follow the link (page + its stylesheet), set a password."""
    browser = Browser(bundle.url)
    browser.post_form(
        "/auth/register", {"email": "ann@example.com", "password": PASSWORD, "confirm": PASSWORD}
    )
    mail_dir = bundle.root / "var" / "mail"
    newest_link(mail_dir, 1)  # the confirmation mail
    Browser(bundle.url).post_form("/auth/forgot", {"email": "ann@example.com"})
    reset = newest_link(mail_dir, 2)
    assert reset.startswith("/auth/reset/")
    visitor = Browser(bundle.url)
    _, page = visitor.get(reset)
    stylesheet = re.search(r'href="(/static/[^"]+\.css[^"]*)"', page).group(1)
    visitor.get(stylesheet, Referer=bundle.url + reset)
    assert visitor.post_form(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}) == 200
    return reset.rsplit("/", 1)[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user (setpriv)")
def test_no_other_user_can_read_runtime_files_and_no_token_is_logged(bundle):
    bundle.start("--workers", "2")
    bundle.ctl(
        "create-user", "admin@example.com", "--admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    token = use_the_site(bundle)
    var = bundle.root / "var"
    paths = [var, *var.rglob("*")]
    names = {p.relative_to(var).as_posix() for p in paths}
    assert {
        "data/app.db",
        "data/app.db-wal",
        "log/access.log",
        "log/app.log",
        "secret_key",
    } <= names
    assert any(name.startswith("mail/") and name.endswith(".eml") for name in names)
    exposed = [
        f"{p.relative_to(var)} {stat.S_IMODE(p.lstat().st_mode):o}"
        for p in paths
        if not p.is_symlink() and stat.S_IMODE(p.lstat().st_mode) & 0o077
    ]
    assert exposed == []
    # As another local account: var/ cannot be listed, and no file in it can be opened.
    assert as_nobody("ls", str(var)).returncode != 0
    for path in (var / "data" / "app.db", var / "log" / "access.log", var / "secret_key"):
        result = as_nobody("cat", str(path))
        assert result.returncode != 0 and "Permission denied" in result.stderr
    access_log = (var / "log" / "access.log").read_text()
    assert "/auth/reset/[token]" in access_log and token not in access_log
    assert token not in (var / "log" / "app.log").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as other users (setpriv)")
def test_unix_socket_admits_the_socket_group_only(bundle):
    bundle.env["APP_PUBLIC_URL"] = "https://shop.test"  # nginx in front: users come by a name
    result = bundle.ctl("start", "--bind", "unix", "--socket-group", "www-data", "--workers", "2")
    socket_path = bundle.root / "sock" / "web.sock"
    assert str(socket_path) in result.stdout
    probe = (
        "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
        " s.sendall(b'GET /healthz HTTP/1.0\\r\\n\\r\\n'); print(s.recv(64).decode().split()[1])"
    )
    www_data = 33
    nginx_like = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            f"--groups={www_data}",
            SYSTEM_PYTHON,
            "-c",
            probe,
            str(socket_path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert nginx_like.stdout.strip() == "200", nginx_like.stderr
    other = as_nobody(SYSTEM_PYTHON, "-c", probe, str(socket_path))
    assert other.returncode != 0 and "PermissionError" in other.stderr
    assert bundle.ctl("status").returncode == 0
    # No TCP port at all: nothing to squat while the site is down.
    assert not re.search(
        rf":{bundle.port}\b", bundle.root.joinpath("etc/gunicorn.conf.py").read_text()
    )
