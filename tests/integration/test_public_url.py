"""F-01 against a running prod bundle: a forged Host gets 400, and the reset link in the mail
points at the bundle's own URL (the live reproduction of the review, A-01)."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode

import pytest

from devkit.polling import wait_until

pytestmark = pytest.mark.integration

VICTIM = "victim@example.com"
PASSWORD = "Victim-Passw0rd-xyz"


def request(bundle, method, path, host, body=None, cookie=""):
    connection = http.client.HTTPConnection("127.0.0.1", bundle.port, timeout=10)
    headers = {"Host": host, "Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, urlencode(body) if body else None, headers)
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


def forgot(bundle, host):
    """GET the form for a session and its CSRF token, then POST the victim's address."""
    page = request(bundle, "GET", "/auth/forgot", f"127.0.0.1:{bundle.port}")
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "email": VICTIM}
    return request(bundle, "POST", "/auth/forgot", host, form, cookie)


def test_forged_host_is_refused_and_links_use_the_bound_url(bundle):
    bundle.start()
    bundle.ctl("create-user", VICTIM, "--password-stdin", stdin=PASSWORD + "\n")
    assert forgot(bundle, "evil.example").status == 400
    assert forgot(bundle, f"127.0.0.1:{bundle.port}").status == 302
    mail = bundle.root / "var" / "mail"
    wait_until(lambda: list(mail.glob("*.eml")))  # sent from a thread after the answer
    links = [
        link
        for message in sorted(mail.glob("*.eml"))
        for link in re.findall(r"https?://\S+", message.read_text())
    ]
    assert len(links) == 1 and links[0].startswith(f"{bundle.url}/auth/reset/")


def test_start_refuses_a_public_bind_without_a_public_url(bundle):
    result = bundle.ctl("start", "--port", str(bundle.port), "--host", "0.0.0.0", check=False)
    assert result.returncode == 1
    assert "error: APP_PUBLIC_URL is not set and gunicorn binds 0.0.0.0" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
