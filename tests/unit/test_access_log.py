"""The access log never holds the token of a mailed link (F-11): project/deploy/access_log.py."""

from __future__ import annotations

import datetime
import io
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from project.deploy.access_log import MaskingLogger, mask_tokens
from project.deploy.gunicorn import ACCESS_LOG_FORMAT
from project.deploy.json_access_log import JsonLogger

TOKEN = "eyJ1c2VyIjoxfQ.aB3-x_Y9.c0ffee"


def token_routes(app) -> list[str]:
    """Every URL of the app whose route takes a <token>, built with TOKEN."""
    with app.test_request_context():
        from flask import url_for

        return [
            url_for(rule.endpoint, token=TOKEN)
            for rule in app.url_map.iter_rules()
            if "token" in rule.arguments
        ]


def test_every_token_route_is_masked(app):
    urls = token_routes(app)
    assert {u.rsplit("/", 1)[0] for u in urls} >= {"/auth/reset", "/auth/confirm"}
    for url in urls:
        masked = mask_tokens(f"POST {url}?x=1 HTTP/1.1")
        assert TOKEN not in masked and "[token]" in masked and masked.endswith("?x=1 HTTP/1.1")


@pytest.mark.parametrize(
    "text",
    ["/auth/confirm/resend", "/auth/login", "/auth/reset", "/static/gen/app.css?1a2b3c4d"],
)
def test_other_paths_are_logged_as_they_are(text):
    assert mask_tokens(text) == text


def logged_line(logger_class, environ: dict) -> str:
    cfg = Config()
    cfg.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = logger_class(cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.handlers = [handler]
    logger.access_log.setLevel(logging.INFO)
    logger._access_log_enabled = True
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("X-Request-ID", "r1")])
    request = SimpleNamespace(headers=[("REFERER", environ.get("HTTP_REFERER", "-"))])
    logger.access(response, request, environ, datetime.timedelta(microseconds=1500))
    return stream.getvalue()


@pytest.mark.parametrize("logger_class", [MaskingLogger, JsonLogger])
def test_request_line_path_and_referer_are_masked(logger_class):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/auth/reset/{TOKEN}",
        "PATH_INFO": f"/auth/reset/{TOKEN}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        # The page's stylesheet request names the page it came from.
        "HTTP_REFERER": f"https://shop.example/auth/confirm/{TOKEN}",
        "HTTP_USER_AGENT": "test",
    }
    line = logged_line(logger_class, environ)
    assert "/auth/reset/[token]" in line and "/auth/confirm/[token]" in line
    assert TOKEN not in line
