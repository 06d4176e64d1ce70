"""Per-request work moved out of the hot path: cached session serializer, /healthz middleware."""

from project import health


def test_session_serializer_is_built_once_per_secret_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "another-secret-key-for-this-test-only-xxxxxxxx"
    assert interface.get_signing_serializer(app) is not first


def test_healthz_skips_flask_entirely(app, client):
    calls = []
    app.before_request(lambda: calls.append("flask"))
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert calls == []
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.headers["X-Request-ID"]) == 32
    assert "Set-Cookie" not in response.headers


def test_healthz_head_has_no_body_and_post_goes_to_flask(client):
    head = client.head("/healthz")
    assert head.status_code == 200 and head.data == b""
    post = client.post("/healthz")
    assert post.status_code == 405 and post.headers["Allow"] == "GET, HEAD"


def test_healthz_returns_the_connection(app, client):
    client.get("/healthz")
    from project.extensions import db

    assert db.is_closed() and len(db.obj._in_use) == 0


def test_health_body_shapes():
    assert health.OK == b'{"status":"ok"}\n'
    assert b"unavailable" in health.UNAVAILABLE
