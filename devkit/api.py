"""API test helpers: bearer tokens, the notes page's CSRF token, the JSON error shape."""

from __future__ import annotations

import re

from project.api.bearer_tokens import issue_token
from project.models import User


def make_token(app, user: User, ttl_seconds: int = 3600) -> str:
    with app.app_context():
        secret, _ = issue_token(user, ttl_seconds)
        return secret


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def page_csrf_token(client) -> str:
    """The CSRF token the notes page hands to its script (data-csrf-token)."""
    html = client.get("/notes/").get_data(as_text=True)
    return re.search(r'data-csrf-token="([^"]+)"', html).group(1)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Check the JSON error shape and status; returns the "error" object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error
