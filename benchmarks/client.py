"""Tiny HTTP client for the setup hooks: raw status, headers and cookies (Secure ones too)."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar = SimpleCookie()
                jar.load(value)
                found.update({key: morsel.value for key, morsel in jar.items()})
        return found

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(base_url: str, method: str, path: str, headers=None, body: str = "") -> Response:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body.encode() or None, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def form_body(fields: dict[str, str]) -> str:
    return urllib.parse.urlencode(fields)


CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(html: str) -> str | None:
    match = CSRF_INPUT.search(html)
    return (match.group(1) or match.group(2)) if match else None


def json_body(data) -> str:
    return json.dumps(data)
