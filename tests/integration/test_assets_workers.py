"""Several gunicorn workers render identical asset URLs (all read the build's manifest).

Runs a plain `gunicorn --workers 3`; the supervisord bundle's fixture can replace it.
"""

import gzip
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import urllib.request

import pytest

from project.assets import MANIFEST
from project.config import PROJECT_ROOT
from tests.helpers import answers, free_port, wait_until

pytestmark = pytest.mark.integration

WORKERS = 3
ASSET_URL = re.compile(r'(?:href|src)="(/static/([^"?]+)\?([0-9a-f]{8}))"')


@pytest.fixture
def gunicorn_url(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "APP_CONFIG": "prod",
        "APP_SECRET_KEY": secrets.token_hex(32),
        "APP_VAR_DIR": str(tmp_path / "var"),
        "APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--no-control-socket"]
    command += ["--bind", f"127.0.0.1:{port}", "project.wsgi:app"]
    with (tmp_path / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: process.poll() is not None or answers(url + "/healthz"))
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=40)


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
