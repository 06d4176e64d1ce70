"""Metrics and error reporting on the real bundle: gunicorn, supervisord, several workers."""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.net import http_get
from devkit.polling import wait_until
from devkit.sentry_ingest import Ingest
from devkit.services import required_tool
from project.deploy import processes

WORKERS = 5
TOKEN = "scrape-token-0123456789abcdef"
SAMPLE = re.compile(r"^http_requests_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$", re.MULTILINE)


def promtool() -> str:
    return required_tool("promtool", "prometheus")


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (the source of its default route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.255", 9))  # TEST-NET: nothing is sent over UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def requests_to(text: str, route: str) -> float:
    total = 0.0
    for match in SAMPLE.finditer(text):
        if f'route="{route}"' in match["labels"]:
            total += float(match["value"])
    return total


def scrape(bundle: Bundle) -> str:
    status, body = bundle.get("/metrics")
    assert status == 200, body
    return body.decode()


def hit(bundle: Bundle, count: int) -> None:
    """`count` requests to / from 10 concurrent clients, so every worker takes some."""
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: bundle.get("/", timeout=60)[0], range(count)))
    assert statuses == [200] * count


def metric_file_pids(bundle: Bundle) -> set[int]:
    folder = bundle.run_dir / "metrics"
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("counter_*.db")}


def recycle_after(bundle: Bundle, requests: int) -> None:
    """Make the copy's workers recycle after `requests` to 2 x `requests` requests
    (max_requests + jitter: without jitter they all re-import the app at once and stall)."""
    renderer = bundle.root / "project" / "deploy" / "gunicorn.py"
    text = renderer.read_text()
    changed = re.sub(r'"max_requests": \d+', f'"max_requests": {requests}', text)
    changed = re.sub(r'"max_requests_jitter": \d+', f'"max_requests_jitter": {requests}', changed)
    assert changed != text, "max_requests not found in the gunicorn renderer"
    renderer.write_text(changed)


@pytest.fixture
def metrics_bundle(tmp_path):
    created = Bundle.create(tmp_path, env={"APP_METRICS_TOKEN": TOKEN})
    recycle_after(created, 20)
    yield created
    created.cleanup()


def test_request_counter_is_exact_across_workers_reload_and_recycling(metrics_bundle):
    bundle = metrics_bundle
    outside = non_loopback_address()
    bundle.start("--workers", str(WORKERS), "--host", "0.0.0.0" if outside else "127.0.0.1")
    assert requests_to(scrape(bundle), "/") == 0  # start wiped the folder

    hit(bundle, 200)
    text = scrape(bundle)
    assert requests_to(text, "/") == 200
    # 200 requests, each worker recycled after 20-40: more counter files than workers, and some
    # belong to workers that are gone; their counts are still in the sum.
    pids = metric_file_pids(bundle)
    assert len(pids) > WORKERS
    assert any(not processes.is_alive(pid) for pid in pids)
    wait_until(lambda: f"app_workers_alive {WORKERS:.1f}" in scrape(bundle))
    assert "http_requests_in_flight 0.0" in scrape(bundle)

    bundle.ctl("reload")
    assert requests_to(scrape(bundle), "/") == 200
    hit(bundle, 60)
    text = scrape(bundle)
    assert requests_to(text, "/") == 260
    wait_until(lambda: f"app_workers_alive {WORKERS:.1f}" in scrape(bundle))

    check = subprocess.run(
        [promtool(), "check", "metrics"], input=text, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    status = bundle.ctl("status")
    assert re.search(r"traffic +\d+\.\d req/s, 0 5xx over the last \d+ s", status.stdout)

    if outside:
        url = f"http://{outside}:{bundle.port}/metrics"
        assert http_get(url)[0] == 404  # a peer that is not loopback, without the token
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert b"http_requests_total" in response.read()


TEST_ROUTES = """

# Added by tests/integration/test_metrics_bundle.py to this copy only.
import time as _time

from flask import request as _request

from project.extensions import csrf as _csrf


@app.route("/_test/crash", methods=["POST"])
@_csrf.exempt
def _test_crash():
    raise RuntimeError("crash for the ingest test")


@app.route("/_test/sleep")
def _test_sleep():
    _time.sleep(float(_request.args.get("seconds", "30")))
    return "woke"
"""

PASSWORD = "ingest-test-password-4471"


def post_form(bundle: Bundle, path: str, fields: str, headers: dict) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", bundle.port, timeout=10)
    try:
        connection.request("POST", path, body=fields, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Request-ID", "")
    finally:
        connection.close()


def test_crash_and_timeout_reach_the_error_reporter(tmp_path):
    with Ingest() as ingest:
        bundle = Bundle.create(
            tmp_path, env={"APP_SENTRY_DSN": ingest.dsn, "APP_RELEASE": "bundle-test-1"}
        )
        try:
            wsgi = bundle.root / "project" / "wsgi.py"
            wsgi.write_text(wsgi.read_text() + TEST_ROUTES)
            bundle.start("--workers", "2", "--timeout", "2")

            status, request_id = post_form(
                bundle,
                "/_test/crash",
                f"email=ann%40example.com&password={PASSWORD}",
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"session={PASSWORD}",
                    "Authorization": f"Bearer {PASSWORD}",
                },
            )
            assert status == 500
            (crash,) = ingest.wait_for_events(1)
            assert crash["tags"]["request_id"] == request_id
            assert crash["release"] == "bundle-test-1"
            assert crash["tags"]["config"] == "prod"

            # gunicorn's sync worker answers 500 as it exits (unless the master's SIGKILL
            # comes first: then the connection just closes).
            with contextlib.suppress(http.client.RemoteDisconnected, ConnectionError):
                assert bundle.get("/_test/sleep?seconds=30", timeout=20)[0] == 500
            # The worker logs the kill (an error: the SDK's logging integration sends it as an
            # event too), then reports it: the tagged event is the last to arrive.
            timeout = ingest.wait_for_event(lambda e: e["tags"].get("timeout") == "worker")
            log = (bundle.root / "var" / "log" / "app.log").read_text()
            line = next(row for row in log.splitlines() if "worker timeout: request" in row)
            assert f"{timeout['tags']['request_id']} GET /_test/sleep" in line
            assert timeout["message"] == "worker timeout: GET /_test/sleep killed after 2 s"

            assert len([e for e in ingest.events() if "exception" in e]) == 1  # once only
            assert PASSWORD.encode() not in ingest.all_bytes()
            timeouts = scrape(bundle)
            assert 'http_request_timeouts_total{route="/_test/sleep"} 1.0' in timeouts
        finally:
            bundle.cleanup()


def test_scrape_config_passes_promtool():
    config = Path(__file__).resolve().parents[2] / "docs" / "monitoring" / "prometheus.yml"
    check = subprocess.run(
        [promtool(), "check", "config", str(config)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
