"""Security headers on every response; HSTS only over HTTPS when configured (prod)."""

import re

import pytest

from project.security import CONTENT_SECURITY_POLICY

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/"), ("get", "/healthz"), ("get", "/auth/login"), ("get", "/nope"), ("post", "/")],
)
def test_headers_on_every_response(client, method, path):
    response = getattr(client, method)(path)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "object-src 'none'" in csp and "'unsafe-inline'" not in csp


def test_headers_on_server_errors_too(app):
    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert response.headers["X-Frame-Options"] == "DENY"


def test_csp_is_the_documented_policy(client):
    assert client.get("/").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert CONTENT_SECURITY_POLICY.startswith("default-src 'self'")


def test_no_hsts_over_http_or_without_configuration(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers
    app.config["HSTS_SECONDS"] = 600
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_over_https_when_configured(app, client):
    app.config["HSTS_SECONDS"] = 31536000
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_prod_config_turns_hsts_on(tmp_path, monkeypatch):
    from project.config import load_config

    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    environ = {"APP_SECRET_KEY": "k" * 40, "APP_PUBLIC_URL": "https://example.com"}
    assert load_config("prod", environ=environ)["HSTS_SECONDS"] >= 15552000
    assert load_config("dev", environ={})["HSTS_SECONDS"] == 0


PAGES = ["/", "/auth/login", "/auth/register", "/account", "/account/settings", "/admin/users"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(auth, client, path):
    """The CSP forbids inline code, so no page may rely on it."""
    auth.create_user(role="admin")
    auth.login()
    html = client.get(path).data.decode()
    assert "<h1>" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and friends
