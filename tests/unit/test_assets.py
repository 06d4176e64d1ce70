"""Hashed static URLs: the manifest drives the URLs, and the static view's caching headers."""

import gzip
import json
import re

import pytest

from project import assets
from project.assets import AssetError

CSS = "body { color: #123456; }\n" * 40  # big enough to be worth compressing
JS = "console.log('hello');\n" * 40
# Deliberately not the files' real hashes: URLs must come from the manifest, not the files.
FAKE_MANIFEST = {
    "gen/css/app.css": "c55c55c5",
    "gen/js/app.js": "15151515",
    "favicon.svg": "f0f0f0f0",
}


@pytest.fixture
def static_app(app, tmp_path):
    """The app serving a static folder of our own, with a manifest we wrote."""
    static = tmp_path / "static"
    (static / "gen" / "css").mkdir(parents=True)
    (static / "gen" / "js").mkdir()
    (static / "gen" / "css" / "app.css").write_text(CSS)
    (static / "gen" / "css" / "app.css.gz").write_bytes(gzip.compress(CSS.encode()))
    (static / "gen" / "js" / "app.js").write_text(JS)
    (static / "favicon.svg").write_text("<svg/>")
    (static / "gen" / "manifest.json").write_text(json.dumps(FAKE_MANIFEST))
    app.static_folder = str(static)
    assets.init_app(app)  # again, so the webassets environment reads this folder
    return app


@pytest.fixture
def static_client(static_app):
    return static_app.test_client()


def fetch(client, url, **headers):
    """GET `url`, read and close the streamed file response (else a ResourceWarning)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def test_page_urls_come_from_the_manifest(static_client):
    html = static_client.get("/").get_data(as_text=True)
    assert 'href="/static/gen/css/app.css?c55c55c5"' in html
    assert 'src="/static/gen/js/app.js?15151515"' in html
    assert 'href="/static/favicon.svg?f0f0f0f0"' in html


def test_signed_in_pages_have_csrf_meta_tag(client, auth):
    auth.create_user()
    auth.login()
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)


def test_anonymous_pages_create_no_session(client):
    response = client.get("/")
    assert "csrf-token" not in response.get_data(as_text=True)
    assert response.headers.getlist("Set-Cookie") == []


def test_urls_are_read_once_no_hashing_per_request(static_app, tmp_path):
    with static_app.test_request_context():
        first = assets.asset_urls("css")
        (tmp_path / "static" / "gen" / "manifest.json").write_text("{}")
        (tmp_path / "static" / "gen" / "css" / "app.css").write_text("changed")
        assert assets.asset_urls("css") == first


def test_missing_asset_fails_loudly_in_tests(static_app):
    with static_app.test_request_context(), pytest.raises(AssetError, match=r"nope\.png"):
        assets.static_url("nope.png")
    with static_app.test_request_context(), pytest.raises(AssetError, match="bundle 'nope'"):
        assets.asset_urls("nope")


def test_missing_asset_degrades_in_production(static_app, caplog):
    static_app.testing = False
    with static_app.test_request_context():
        assert assets.static_url("nope.png") == "/static/nope.png"
    assert "not in the asset manifest" in caplog.text


def test_missing_manifest_entry_never_hashes_at_request_time(static_app, tmp_path):
    """No versioner at request time: a bundle absent from the manifest is an error."""
    (tmp_path / "static" / "gen" / "manifest.json").write_text("{}")
    assets.init_app(static_app)
    with static_app.test_request_context(), pytest.raises(AssetError, match="bundle 'css'"):
        assets.asset_urls("css")


def test_hashed_url_is_cached_forever(static_client):
    response = fetch(static_client, "/static/gen/js/app.js?15151515")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_unhashed_url_is_cached_briefly_with_validators(static_client):
    response = fetch(static_client, "/static/gen/js/app.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_stale_hash_is_not_immutable(static_client):
    """After a deploy an old URL serves the new file: it must not be cached forever."""
    response = fetch(static_client, "/static/gen/js/app.js?deadbeef")
    assert "immutable" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("query", ["", "?15151515"])
def test_revalidation_answers_304(static_client, query):
    url = "/static/gen/js/app.js" + query
    first = fetch(static_client, url)
    by_etag = fetch(static_client, url, **{"If-None-Match": first.headers["ETag"]})
    by_date = fetch(static_client, url, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_etag.status_code == 304 and by_date.status_code == 304
    assert by_etag.data == b""


def test_gzip_served_when_accepted(static_client):
    response = fetch(
        static_client, "/static/gen/css/app.css?c55c55c5", **{"Accept-Encoding": "br, gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/css")
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "immutable" in response.headers["Cache-Control"]
    assert gzip.decompress(response.data).decode() == CSS


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, deflate"])
def test_identity_when_gzip_not_accepted(static_client, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    response = fetch(static_client, "/static/gen/css/app.css", **headers)
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True) == CSS
    assert "Accept-Encoding" in response.headers["Vary"]


def test_gzip_and_identity_have_different_etags(static_client):
    plain = fetch(static_client, "/static/gen/css/app.css")
    packed = fetch(static_client, "/static/gen/css/app.css", **{"Accept-Encoding": "gzip"})
    assert plain.headers["ETag"] != packed.headers["ETag"]


def test_file_without_gzip_copy_has_no_vary(static_client):
    response = fetch(static_client, "/static/gen/js/app.js", **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.headers.get("Vary", "")


def test_missing_static_file_is_404(static_client):
    assert fetch(static_client, "/static/gen/nope.js").status_code == 404
    assert fetch(static_client, "/static/../config.py").status_code == 404


def test_real_build_serves_hashed_bundles(client):
    """Against the real build: the page's URLs are the manifest's and are served immutable."""
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+\?[0-9a-f]{8})"', html)
    assert len(urls) == 3
    for url in urls:
        response = fetch(client, url, **{"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
