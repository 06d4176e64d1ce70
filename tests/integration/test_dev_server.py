"""`scripts/ctl dev` serves the home page and /healthz on loopback."""

import json

import pytest

from devkit.devserver import DevServer
from devkit.net import http_get


@pytest.fixture
def dev_server(tmp_path):
    server = DevServer(tmp_path)
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()


def test_dev_server_serves_home_and_healthz(dev_server):
    status, body = http_get(dev_server + "/")
    assert status == 200 and b"<h1>" in body
    status, body = http_get(dev_server + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
