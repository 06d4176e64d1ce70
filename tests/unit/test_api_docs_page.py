"""/api/v1/docs: the API's reference page, Swagger UI from the site's own static files."""

import re

from project.security import CONTENT_SECURITY_POLICY


def test_docs_page_loads_swagger_ui_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any(src.startswith("/static/gen/js/api-docs.js?") for src in scripts)
    assert all(src.startswith("/static/") for src in scripts)  # nothing from a CDN
    assert "<script>" not in page  # no inline script either
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_docs_page_is_not_an_operation_of_the_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not any("docs" in path for path in paths)


def test_home_page_links_the_docs_page(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/api/v1/docs"' in page and 'href="/api/v1/openapi.json"' in page
