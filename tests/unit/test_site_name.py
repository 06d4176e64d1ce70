"""SITE_NAME: the one display name, in page titles, the header, mail and the API docs."""

import re

import pytest

from project.app import create_app, mail


@pytest.fixture
def shop(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    return create_app("test", overrides={"DATABASE_URL": database_url, "SITE_NAME": "Corner Shop"})


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_titles_name_the_page_then_the_site(shop):
    client = shop.test_client()
    assert title(client.get("/auth/login").get_data(as_text=True)) == "Log in · Corner Shop"
    home = client.get("/").get_data(as_text=True)
    assert title(home) == "Corner Shop"  # the home page is the site itself
    assert 'class="brand"' in home and ">Corner Shop</a>" in home
    assert "Project" not in title(client.get("/nope").get_data(as_text=True))


def test_the_default_name_is_project(app):
    assert title(app.test_client().get("/auth/login").get_data(as_text=True)) == "Log in · Project"


def test_mail_comes_from_the_site_name_unless_the_sender_names_itself(shop, tmp_path):
    assert shop.config["MAIL_DEFAULT_SENDER"] == "Corner Shop <noreply@localhost>"
    named = mail.named_sender({"MAIL_DEFAULT_SENDER": "Desk <d@x.org>", "SITE_NAME": "S"})
    assert named == "Desk <d@x.org>"


def test_the_api_document_is_titled_after_the_site(shop):
    spec = shop.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Corner Shop API"


def test_favicon_ico_points_at_the_svg_and_home_links_the_api_document(app):
    client = app.test_client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/static/favicon.svg?")  # the hashed URL
    with client.get(response.headers["Location"]) as svg:  # closes the file it streams
        assert svg.status_code == 200
    assert 'href="/api/v1/openapi.json"' in client.get("/").get_data(as_text=True)
