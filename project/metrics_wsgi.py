"""`/metrics` and the HTTP request metrics, in front of Flask (like `/healthz`).

The middleware is the outermost layer: it sees the TCP peer before ProxyFix rewrites
REMOTE_ADDR, and it measures every request, including `/healthz`. `/metrics` itself is
neither measured nor given a session or a template. It answers only a loopback peer that came
through no proxy, or a request with `Authorization: Bearer $APP_METRICS_TOKEN`; everyone
else gets the same 404 as a path that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import threading
import time

from flask import Flask, Request

from . import metrics
from .security import HEADERS as SECURITY_HEADERS

PATH = "/metrics"
# Where Flask's matched URL rule is left for the middleware (by `RoutedRequest`).
ROUTE_KEY = "project.url_rule"
# The method is a label too, and a client picks it: any other one counts as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Headers a proxy adds: a request carrying one came through nginx, whose peer is loopback.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
NOT_FOUND = json.dumps({"error": {"code": "not_found"}}, separators=(",", ":")).encode()
NOT_ALLOWED = json.dumps({"error": {"code": "method_not_allowed"}}, separators=(",", ":")).encode()


class MetricsMiddleware:
    """Counts and times every request; serves `/metrics` to allowed scrapers."""

    def __init__(self, wsgi_app, token: str = "", fixed_routes: tuple[str, ...] = ()):
        self.wsgi_app = wsgi_app
        self.token = token.encode()
        # Paths answered in front of Flask (no URL rule) that still get their own label.
        self.fixed_routes = frozenset(fixed_routes)
        # Requests being handled, by thread: read by the worker-timeout report.
        self.in_flight: dict[int, dict] = {}
        # The metrics' children by label values, made once: `labels()` checks and converts
        # its arguments and takes a lock on every call. As many as the metrics' own series.
        self.durations: dict[str, object] = {}
        self.counts: dict[tuple[str, str, str], object] = {}

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PATH:
            return self.serve(environ, start_response)
        return self.measure(environ, start_response)

    def measure(self, environ, start_response):
        status = []

        def capture(line, headers, exc_info=None):
            status.append(line)
            return start_response(line, headers, exc_info)

        started = time.perf_counter()
        thread = threading.get_ident()
        self.in_flight[thread] = environ
        metrics.HTTP_IN_FLIGHT.inc()
        try:
            response = self.wsgi_app(environ, capture)
        except BaseException:  # also SystemExit from a worker timeout: gunicorn answers 500
            self.record(environ, "500", started)
            raise
        finally:
            metrics.HTTP_IN_FLIGHT.dec()
            self.in_flight.pop(thread, None)
        self.record(environ, status[-1][:3] if status else "000", started)
        return response

    def record(self, environ, status: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = self.route(environ)
        duration = self.durations.get(route)
        if duration is None:
            duration = self.durations[route] = metrics.HTTP_DURATION.labels(route)
        duration.observe(elapsed)
        method = environ.get("REQUEST_METHOD", "")
        labels = (method if method in METHODS else "other", route, status)
        count = self.counts.get(labels)
        if count is None:
            count = self.counts[labels] = metrics.HTTP_REQUESTS.labels(*labels)
        count.inc()

    def route(self, environ) -> str:
        rule = environ.get(ROUTE_KEY)
        if rule is not None:
            return rule
        path = environ.get("PATH_INFO")
        return path if path in self.fixed_routes else metrics.UNMATCHED

    def serve(self, environ, start_response):
        head = environ.get("REQUEST_METHOD") == "HEAD"
        if not self.allowed(environ):
            start_response("404 Not Found", json_headers(NOT_FOUND))
            return [] if head else [NOT_FOUND]
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response(
                "405 Method Not Allowed", [*json_headers(NOT_ALLOWED), ("Allow", "GET, HEAD")]
            )
            return [NOT_ALLOWED]
        body, content_type = metrics.exposition()
        start_response("200 OK", plain_headers(body, content_type))
        return [] if head else [body]

    def allowed(self, environ) -> bool:
        if self.token and bearer_matches(environ.get("HTTP_AUTHORIZATION", ""), self.token):
            return True
        proxied = any(environ.get(header) for header in FORWARDING_HEADERS)
        return not proxied and is_loopback(environ.get("REMOTE_ADDR", ""))


def bearer_matches(header: str, token: bytes) -> bool:
    scheme, _, given = header.partition(" ")
    # Constant time: the comparison must not tell how many leading bytes were right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token)


def is_loopback(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:  # empty (a unix socket) or garbage: not provably local
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return (mapped or parsed).is_loopback


def json_headers(body: bytes) -> list[tuple[str, str]]:
    return plain_headers(body, "application/json")


def plain_headers(body: bytes, content_type: str) -> list[tuple[str, str]]:
    return [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *SECURITY_HEADERS.items(),
    ]


class RuleRecorder:
    """`Request.url_rule` that also leaves the rule's pattern in the environ when routing sets
    it. It defines only `__set__`: a read then finds the value in the request's own __dict__,
    a plain attribute lookup, where a property would be a Python call on each of the ~35 reads
    Flask and its extensions make per request."""

    def __set__(self, request, rule) -> None:
        request.__dict__["url_rule"] = rule
        if rule is not None:
            request.environ[ROUTE_KEY] = rule.rule


class RoutedRequest(Request):
    """Flask's request, leaving the URL rule it matched (`/notes/<int:id>`, never the raw path)
    for the middleware as soon as routing sets it: before any hook, so a request that a hook
    refuses (CSRF, auth) keeps its rule too. Cheaper than a before_request hook, which Flask
    calls through `ensure_sync` and which reads `request` through its proxy."""

    url_rule = RuleRecorder()

    def __init__(self, environ, *args, **kwargs) -> None:
        super().__init__(environ, *args, **kwargs)
        # Read before routing (or after it failed: 404, 405) it is None, as on Flask's Request.
        self.__dict__["url_rule"] = None


def init_app(app: Flask, fixed_routes: tuple[str, ...] = ()) -> MetricsMiddleware:
    """Wrap the app's WSGI callable (call last: the middleware must be outermost)."""
    app.request_class = RoutedRequest
    middleware = MetricsMiddleware(app.wsgi_app, app.config["METRICS_TOKEN"], fixed_routes)
    app.wsgi_app = middleware
    app.extensions["metrics_middleware"] = middleware
    return middleware
