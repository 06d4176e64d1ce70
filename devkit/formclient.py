"""A form-posting HTTP client with a cookie jar, for tests that drive several hosts."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


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
