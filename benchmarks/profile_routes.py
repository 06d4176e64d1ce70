"""Deterministic per-request cost of the benchmarked routes, on the Flask test client.

`python -m benchmarks.profile_routes [ROUTE...] [--top N] [--requests N]` builds a prod-like
app (CSRF on, test argon2 cost) on a temp SQLite database and prints, per route, Python
function calls per request (stable under load, unlike wall time) and µs per request, then the
top functions by cumulative time. Wall times are only comparable within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import tempfile
import time
from pathlib import Path

EMAIL = "prof@example.com"
PASSWORD = "violet-harbor-42"


def build_app(tmp: Path):
    os.environ["APP_VAR_DIR"] = str(tmp / "var")
    os.environ["APP_DATABASE_URL"] = f"sqlite:///{tmp / 'prof.db'}"
    from project.app import create_app
    from project.extensions import db
    from project.migrate import apply_pending

    app = create_app("test", overrides={"WTF_CSRF_ENABLED": True})
    with app.app_context():
        apply_pending()
        from project.auth.service import create_user

        create_user(EMAIL, PASSWORD)
        db.close()
    return app


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def logged_in_client(app):
    client = app.test_client()
    token = csrf_of(client.get("/auth/login").data)
    reply = client.post(
        "/auth/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    )
    assert reply.status_code == 302, reply.status_code
    client.get("/account")  # keep the cookie the page sets, as the benchmark does
    return client


def bearer(app) -> dict:
    client = app.test_client()
    reply = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD})
    headers = {"Authorization": "Bearer " + reply.get_json()["token"]}
    for number in range(20):
        client.post(
            "/api/v1/notes", headers=headers, json={"title": f"n {number}", "body": "b " * 20}
        )
    return headers


def throttled_request(app):
    """A client over the per-address limit; the request a flood keeps sending."""
    client = app.test_client()
    token = csrf_of(client.get("/auth/login").data)
    data = {"csrf_token": token, "email": "nobody@example.com", "password": "wrong-password"}
    for _ in range(app.config["LOGIN_THROTTLE_PER_ADDRESS"] + 1):
        reply = client.post("/auth/login", data=data)
    assert reply.status_code == 429, reply.status_code
    return lambda: client.post("/auth/login", data=data)


def routes(app) -> dict:
    anonymous = app.test_client()
    user = logged_in_client(app)
    headers = bearer(app)
    api = app.test_client()
    return {
        "home": lambda: anonymous.get("/"),
        "login": lambda: anonymous.get("/auth/login"),
        "account": lambda: user.get("/account"),
        "api_notes": lambda: api.get("/api/v1/notes", headers=headers),
        "throttled": throttled_request(app),
    }


def profile(name: str, call, requests: int, top: int) -> None:
    status = call().status_code
    for _ in range(20):  # warm caches (Jinja, url maps, prepared queries)
        call()
    start = time.perf_counter()
    for _ in range(requests):
        call()
    wall = (time.perf_counter() - start) / requests * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    calls = stats.total_calls / requests
    print(f"\n== {name}: status {status}, {calls:.0f} calls/request, {wall:.0f} µs/request")
    if top:
        stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("route", nargs="*")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        table = routes(app)
        for name in args.route or table:
            profile(name, table[name], args.requests, args.top)


if __name__ == "__main__":
    main()
