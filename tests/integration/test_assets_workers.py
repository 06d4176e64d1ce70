"""Several gunicorn workers of the real bundle render identical asset URLs (all read the
build's manifest)."""

import gzip
import json
import re
import urllib.request

import pytest

from project.assets import MANIFEST
from project.config import PROJECT_ROOT

pytestmark = pytest.mark.integration

WORKERS = 3
ASSET_URL = re.compile(r'(?:href|src)="(/static/([^"?]+)\?([0-9a-f]{8}))"')


@pytest.fixture
def gunicorn_url(bundle):
    """The real bundle (supervisord + gunicorn, prod config) with several workers."""
    bundle.start("--workers", str(WORKERS))
    assert len(bundle.worker_pids()) == WORKERS
    return bundle.url


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.headers, response.read()


def test_every_worker_renders_one_hash_per_asset(gunicorn_url):
    seen = {}
    for _ in range(10 * WORKERS):  # a new connection each time: the workers take turns
        html = get(gunicorn_url + "/")[1].decode()
        for _url, path, version in ASSET_URL.findall(html):
            seen.setdefault(path, set()).add(version)
    manifest = json.loads((PROJECT_ROOT / "project" / "static" / MANIFEST).read_text())
    assert seen == {path: {manifest[path]} for path in seen}
    assert {"gen/css/app.css", "gen/js/app.js", "favicon.svg"} <= seen.keys()


def test_hashed_assets_are_immutable_and_gzipped(gunicorn_url):
    html = get(gunicorn_url + "/")[1].decode()
    for url, path, _version in ASSET_URL.findall(html):
        headers, body = get(gunicorn_url + url, **{"Accept-Encoding": "gzip"})
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if path.startswith("gen/"):  # the build wrote .gz copies of the bundles
            assert headers["Content-Encoding"] == "gzip"
            body = gzip.decompress(body)
        assert body == (PROJECT_ROOT / "project" / "static" / path).read_bytes()
