"""`scripts/ctl dev` serves the home page and /healthz on loopback."""

import json
import os
import signal
import subprocess
import sys

import pytest

from project.config import PROJECT_ROOT
from tests.helpers import answers, free_port, http_get, wait_until


@pytest.fixture
def dev_server(tmp_path):
    port = free_port()
    env = {**os.environ, "APP_VAR_DIR": str(tmp_path)}
    env.pop("APP_CONFIG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "project.cli", "dev", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the reloader forks a child: kill the whole group
    )
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/healthz"))
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_dev_server_serves_home_and_healthz(dev_server):
    status, body = http_get(dev_server + "/")
    assert status == 200 and b"<h1>" in body
    status, body = http_get(dev_server + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
