"""What gets measured: one small spec per route, with a setup hook run against the live server.

A hook gets the `Target` (URL, and `ctl` in the copy for things like create-user) and returns
the request wrk sends (method, headers, body), or raises `Skip` with the reason, e.g. when a
route has not landed on this branch yet. Hooks run before any load, and the failed-login flood
runs last, because it throttles the benchmark's own address.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from . import client
from .wrk import Request

BENCH_EMAIL = "bench@example.com"
GUESSED_EMAIL = "nobody-bench@example.com"
NOTES_TO_SEED = 20
MAX_PRIMING_ATTEMPTS = 60


class Skip(Exception):
    """This route cannot be measured here; the message says why."""


class Target:
    """A running server to prepare routes on; `ctl` runs a verb in the project copy."""

    def __init__(self, url: str, ctl: Callable[..., object]):
        self.url = url
        self.ctl = ctl
        self.cache: dict = {}

    def get(self, path: str, **kwargs) -> client.Response:
        return client.request(self.url, "GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> client.Response:
        return client.request(self.url, "POST", path, **kwargs)


Setup = Callable[[Target], Request]


def plain_get(target: Target) -> Request:
    return Request()


@dataclass(frozen=True)
class RouteSpec:
    name: str
    path: str
    setup: Setup = plain_get
    database: bool = False  # measured on PostgreSQL too
    ok_statuses: frozenset | None = None  # None: any 2xx/3xx
    note: str = ""
    # Also measure the home page while this route floods the server from 16 connections.
    flood: bool = False


def require_route(target: Target, path: str, **kwargs) -> client.Response:
    response = target.get(path, **kwargs)
    if response.status == 404:
        raise Skip(f"{path} is not on this branch yet (404)")
    return response


def bench_password(target: Target) -> str:
    """Create the benchmark user once per target (through `ctl create-user`)."""
    if "password" not in target.cache:
        password = "Bench-" + secrets.token_urlsafe(18)
        target.ctl(
            "create-user",
            BENCH_EMAIL,
            "--password-stdin",
            "--config",
            "prod",
            stdin=password + "\n",
        )
        target.cache["password"] = password
    return target.cache["password"]


def login_form(target: Target) -> tuple[dict, str]:
    """Session cookies and CSRF token of a fresh login page."""
    page = require_route(target, "/auth/login")
    token = client.csrf_token(page.text)
    if page.status != 200 or token is None:
        raise Skip(f"/auth/login gave {page.status} without a CSRF token")
    return page.cookies(), token


def session_cookie(target: Target) -> str:
    """Log in through the form like a browser; the Cookie header of the logged-in session."""
    cookies, token = login_form(target)
    fields = {"csrf_token": token, "email": BENCH_EMAIL, "password": bench_password(target)}
    response = target.post(
        "/auth/login",
        headers={
            "Cookie": client.cookie_header(cookies),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=client.form_body(fields),
    )
    if response.status not in (302, 303):
        raise Skip(f"logging in gave {response.status}, not a redirect")
    return client.cookie_header({**cookies, **response.cookies()})


def logged_in_page(target: Target) -> Request:
    cookie = session_cookie(target)
    response = require_route(target, "/account", headers={"Cookie": cookie})
    if response.status != 200:
        raise Skip(f"/account with a session gave {response.status}")
    # Keep the cookie the page set (its CSRF token), as a browser would: replaying the
    # login's cookie would make every request mint a token and re-sign the session.
    return Request(headers={"Cookie": updated_cookie(cookie, response.cookies())})


def updated_cookie(header: str, new: dict[str, str]) -> str:
    pairs = dict(part.split("=", 1) for part in header.split("; ") if "=" in part)
    return client.cookie_header({**pairs, **new})


def api_token(target: Target) -> str:
    body = client.json_body({"email": BENCH_EMAIL, "password": bench_password(target)})
    response = target.post(
        "/api/v1/tokens", headers={"Content-Type": "application/json"}, body=body
    )
    if response.status == 404:
        raise Skip("/api/v1/tokens is not on this branch yet (404)")
    if response.status != 201:
        raise Skip(f"POST /api/v1/tokens gave {response.status}")
    return response.json()["token"]


def api_notes(target: Target) -> Request:
    """A bearer token, and a first page of notes to list."""
    headers = {"Authorization": "Bearer " + api_token(target)}
    post_headers = {**headers, "Content-Type": "application/json"}
    for number in range(NOTES_TO_SEED):
        note = client.json_body({"title": f"note {number}", "body": "benchmark " * 20})
        target.post("/api/v1/notes", headers=post_headers, body=note)
    response = require_route(target, "/api/v1/notes", headers=headers)
    if response.status != 200:
        raise Skip(f"GET /api/v1/notes with a token gave {response.status}")
    return Request(headers=headers)


STATIC_URL = re.compile(r"""(?:src|href)="(/static/[^"]+\?[0-9a-f]{6,}[^"]*)\"""")


def hashed_static(target: Target) -> Request:
    """The first hashed static URL the home page links to."""
    match = STATIC_URL.search(target.get("/").text)
    if match is None:
        raise Skip("the home page links no hashed /static/ URL yet")
    return Request(path=match.group(1).replace("&amp;", "&"))


def failed_login(target: Target) -> Request:
    """Wrong passwords for one account from our address, primed until the throttle answers 429:
    the measured path is the refusal, which must come before any password hashing."""
    cookies, token = login_form(target)
    fields = {"csrf_token": token, "email": GUESSED_EMAIL, "password": "wrong-password-123"}
    request = Request(
        method="POST",
        headers={
            "Cookie": client.cookie_header(cookies),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=client.form_body(fields),
    )
    for _ in range(MAX_PRIMING_ATTEMPTS):
        status = target.post("/auth/login", headers=request.headers, body=request.body).status
        if status == 429:
            return request
        if status != 200:
            raise Skip(f"a wrong password on /auth/login gave {status}, not 200 or 429")
    raise Skip(f"no 429 after {MAX_PRIMING_ATTEMPTS} wrong passwords: is the throttle on?")


ROUTES = [
    RouteSpec("home", "/"),
    RouteSpec("healthz", "/healthz", database=True, note="SELECT 1"),
    RouteSpec("account page", "/account", logged_in_page, database=True, note="session + user"),
    RouteSpec("api notes list", "/api/v1/notes", api_notes, database=True, note="bearer token"),
    RouteSpec("hashed static", "/static/…", hashed_static, note="path from the home page"),
    RouteSpec(
        "failed login",
        "/auth/login",
        failed_login,
        database=True,
        ok_statuses=frozenset({429}),
        note="throttled: 429 before hashing",
        flood=True,
    ),
]
QUICK_ROUTES = ("home", "healthz")


def select(names: tuple[str, ...] | None) -> list[RouteSpec]:
    if not names:
        return list(ROUTES)
    known = {spec.name: spec for spec in ROUTES}
    unknown = [name for name in names if name not in known]
    if unknown:
        from .errors import BenchError

        raise BenchError(f"unknown route {unknown[0]!r}; known: {', '.join(known)}")
    return [known[name] for name in names]
