"""F-17: answers for a logged-in user or a bearer token must not be stored by any cache."""

import re

import pytest

from devkit.accounts import make_user
from devkit.api import bearer, make_token

USER_PAGES = ["/", "/account", "/account/settings", "/notes/", "/api/v1/me", "/api/v1/notes"]


@pytest.mark.parametrize("path", USER_PAGES)
def test_pages_and_api_for_a_logged_in_user_say_no_store(auth, client, path):
    auth.create_user()
    auth.login()
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/notes"])
def test_api_answers_for_a_bearer_token_say_no_store(app, client, path):
    token = make_token(app, make_user(app))
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_and_static_files_keep_their_caching(auth, client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.create_user()
    auth.login()
    html = client.get("/").get_data(as_text=True)
    static = re.search(r'href="(/static/[^"]+\?[0-9a-f]+)"', html).group(1)
    response = client.get(static)
    response.close()  # a file response
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
