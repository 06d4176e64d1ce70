"""Request ids, the app log and error pages."""

import json
import logging
import logging.handlers

import pytest

from devkit.testapp import app_log_text
from project.app import create_app
from project.proxy import TrustedProxyFix


@pytest.fixture
def failing_app(app):
    @app.get("/explode")
    def explode():
        app.logger.info("about to fail")
        raise RuntimeError("kaboom")

    @app.get("/api/v1/explode")
    def api_explode():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_every_response_carries_a_generated_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_untrusted_incoming_request_id_is_replaced(client):
    response = client.get("/", headers={"X-Request-ID": "from-the-internet"})
    assert response.headers["X-Request-ID"] != "from-the-internet"


def test_trusted_proxy_request_id_is_kept(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_DATABASE_URL", database_url)
    monkeypatch.setenv("APP_PROXY_HOPS", "1")
    proxied = create_app("test")
    assert isinstance(proxied.wsgi_app.wsgi_app, TrustedProxyFix)  # inside the metrics layer
    client = proxied.test_client()
    kept = client.get("/", headers={"X-Request-ID": "nginx-abc123"})
    assert kept.headers["X-Request-ID"] == "nginx-abc123"
    junk = client.get("/", headers={"X-Request-ID": 'bad "id" with spaces'})
    assert junk.headers["X-Request-ID"] != 'bad "id" with spaces'


def test_uncaught_exception_logged_once_with_traceback_and_request_id(failing_app):
    response = failing_app.test_client().get("/explode")
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert request_id.encode() in response.data
    assert b"kaboom" not in response.data and b"Traceback" not in response.data
    log = app_log_text(failing_app)
    assert log.count("Traceback") == 1
    assert "RuntimeError: kaboom" in log
    assert f"[{request_id}]" in log
    assert sum(request_id in line for line in log.splitlines()) >= 2  # info line + error line


def test_api_errors_are_json_with_request_id(failing_app):
    client = failing_app.test_client()
    response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert response.is_json
    assert response.get_json()["error"]["request_id"] == response.headers["X-Request-ID"]
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.is_json


def test_html_404_page_shows_request_id(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"].encode() in response.data


def test_json_log_format(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_DATABASE_URL", database_url)
    monkeypatch.setenv("APP_LOG_FORMAT", "json")
    app = create_app("test")
    with app.test_request_context("/"):
        from project.logs import assign_request_id

        assign_request_id()
        app.logger.warning("hello %s", "there")
    entry = json.loads(app_log_text(app).splitlines()[-1])
    assert entry["message"] == "hello there"
    assert entry["level"] == "WARNING" and len(entry["request_id"]) == 32


def test_app_logger_writes_once_to_its_own_file(app):
    from flask.logging import default_handler

    assert app.logger.propagate is False
    assert default_handler not in app.logger.handlers
    files = [h for h in app.logger.handlers if isinstance(h, logging.handlers.WatchedFileHandler)]
    assert len(files) == 1


def test_forwarded_for_from_a_peer_that_is_not_the_proxy_is_ignored(
    tmp_path, monkeypatch, database_url
):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_DATABASE_URL", database_url)
    monkeypatch.setenv("APP_PROXY_HOPS", "1")
    app = create_app("test")

    @app.get("/peer")
    def peer():
        from flask import request

        return request.remote_addr

    client = app.test_client()
    forged = {"X-Forwarded-For": "198.51.100.9", "X-Request-ID": "forged-id-1"}
    stranger = client.get("/peer", headers=forged, environ_base={"REMOTE_ADDR": "127.0.0.4"})
    assert stranger.text == "127.0.0.4"
    assert stranger.headers["X-Request-ID"] != "forged-id-1"
    proxied = client.get("/peer", headers=forged, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert proxied.text == "198.51.100.9"


def test_proxy_peers_must_be_addresses(monkeypatch):
    from project.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="PROXY_PEERS"):
        load_config("test", environ={"APP_PROXY_PEERS": "nginx.local"})
