"""Error reporting: opt-in, one event per uncaught exception, with the request id, no secrets."""

from __future__ import annotations

import pytest
import sentry_sdk

from devkit.sentry_ingest import Ingest
from project import error_reporting
from project.app import create_app
from project.config import PROJECT_ROOT

SECRET_PASSWORD = "correct-horse-battery-7731"
SECRET_TOKEN = "tok-5f1d0c9e8b7a"


@pytest.fixture
def ingest():
    with Ingest() as server:
        yield server
    sentry_sdk.init()  # no DSN: the client of the next test sends nothing


@pytest.fixture
def reporting_app(app, ingest):
    app.config.update(SENTRY_DSN=ingest.dsn, PROPAGATE_EXCEPTIONS=False, RELEASE="rel-42")

    @app.route("/explode/<secret>", methods=["POST"])
    def explode(secret):
        raise RuntimeError("boom in the view")

    assert error_reporting.init(app.config, "web", PROJECT_ROOT)
    return app


def test_off_without_a_dsn(app):
    assert error_reporting.init(app.config, "web", PROJECT_ROOT) is False


def test_uncaught_exception_arrives_once_with_request_id_and_no_secret(reporting_app, ingest):
    client = reporting_app.test_client()
    client.set_cookie("session", "cookie-value-" + SECRET_TOKEN)
    response = client.post(
        f"/explode/{SECRET_TOKEN}?token={SECRET_TOKEN}&page=2",
        data={"email": "ann@example.com", "password": SECRET_PASSWORD, "current": SECRET_PASSWORD},
        headers={"Authorization": f"Bearer {SECRET_TOKEN}", "X-Api-Key": SECRET_TOKEN},
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    (event,) = ingest.wait_for_events(1)
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]
    assert event["tags"]["config"] == "test"
    assert event["release"] == "rel-42"
    assert event["environment"] == "test"
    assert event["exception"]["values"][-1]["value"] == "boom in the view"
    assert event["request"]["url"].endswith("/explode/<secret>")
    raw = ingest.all_bytes()
    assert SECRET_PASSWORD.encode() not in raw
    assert SECRET_TOKEN.encode() not in raw


def test_scrub_replaces_sensitive_keys_and_pairs():
    event = {
        "extra": {"password": "p1", "nested": [{"api_key": "k"}], "note": "ok"},
        "headers": [["Cookie", "c=1"], ["Accept", "text/html"]],
        "message": "retrying with password=hunter2 and token: abc123",
    }
    scrubbed = error_reporting.scrub(event)
    assert scrubbed["extra"] == {
        "password": "[Filtered]",
        "nested": [{"api_key": "[Filtered]"}],
        "note": "ok",
    }
    assert scrubbed["headers"] == [["Cookie", "[Filtered]"], ["Accept", "text/html"]]
    assert "hunter2" not in scrubbed["message"] and "abc123" not in scrubbed["message"]


def test_timeout_report_is_one_event_with_request_id(app, ingest):
    app.config["SENTRY_DSN"] = ingest.dsn
    error_reporting.init(app.config, "web", PROJECT_ROOT)
    error_reporting.report_timeout("rid-123", "GET", "/slow", 30)
    (event,) = ingest.wait_for_events(1)
    assert event["tags"]["request_id"] == "rid-123"
    assert event["tags"]["timeout"] == "worker"
    assert event["message"] == "worker timeout: GET /slow killed after 30 s"


def test_prod_config_builds_without_a_dsn(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("APP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("APP_PUBLIC_URL", "https://example.com")
    app = create_app("prod", overrides={"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SENTRY_DSN"] == ""


@pytest.mark.parametrize("dsn", ["nonsense", "https://sentry.example.com/1", "https://k@h/abc"])
def test_a_bad_dsn_is_a_config_error_not_a_worker_crash(dsn):
    from project.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="APP_SENTRY_DSN"):
        load_config("test", environ={"APP_SENTRY_DSN": dsn})


def test_the_systemexit_of_a_killed_worker_is_not_a_second_event():
    """gunicorn's worker exits by SystemExit after a timeout; report_timeout already sent it."""
    crash = {"exception": {"values": [{"type": "RuntimeError", "value": "boom"}]}}
    assert error_reporting.before_send(crash, {"exc_info": (RuntimeError, None, None)}, {})
    killed = {"exception": {"values": [{"type": "SystemExit", "value": "1"}]}}
    assert error_reporting.before_send(killed, {"exc_info": (SystemExit, None, None)}, {}) is None
