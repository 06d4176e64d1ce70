"""F-13 on the real bundle: 24 simultaneous wrong passwords on one account, five gunicorn
worker processes, prod argon2 cost; the per-account limit (10) holds across processes."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

pytestmark = pytest.mark.integration

PASSWORD = "saffron-meadow-61"
GUESSES = 24
LIMIT = 10


def guess(port: int, start: threading.Barrier, statuses: list) -> None:
    body = json.dumps({"email": "owner@example.com", "password": "wrong-password-9"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    connection.request("POST", "/api/v1/tokens", body, {"Content-Type": "application/json"})
    statuses.append(connection.getresponse().status)
    connection.close()


def test_concurrent_guesses_across_workers_stop_at_the_limit(bundle):
    bundle.start("--workers", "5")
    bundle.ctl("create-user", "owner@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    statuses: list[int] = []
    start = threading.Barrier(GUESSES)
    threads = [
        threading.Thread(target=guess, args=(bundle.port, start, statuses)) for _ in range(GUESSES)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == GUESSES
    processed, refused = statuses.count(401), statuses.count(429)
    # 503: the hashing budget found every argon2 slot busy for ARGON2_WAIT_SECONDS (on a
    # 2-CPU machine one slot, and up to 5 workers polling for it): that guess went unchecked.
    busy = statuses.count(503)
    assert processed + refused + busy == GUESSES, statuses
    assert 1 <= processed <= LIMIT, statuses
