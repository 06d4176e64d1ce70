"""F-13: concurrent wrong passwords must not get past the per-account limit.

24 guesses at once on one account (limit 10), each a real HTTP request on its own thread and
database connection, against a threaded server on the test's database (SQLite here,
PostgreSQL when TEST_DATABASE_URL is set). Checking the password is made to take 100 ms, about
what argon2 costs in production: the window in which a check-then-count throttle lets every
request through.
"""

import http.client
import threading
import time
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from project.app import create_app
from project.auth import service
from project.extensions import db

GUESSES = 24
LIMIT = 10


@pytest.fixture
def server(app, database_url, auth, monkeypatch):
    """A threaded HTTP server on the migrated test database; its port."""
    auth.create_user()
    db.obj.close_all()
    real_verify = service.verify_password

    def slow_verify(*args, **kwargs):
        time.sleep(0.1)
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(service, "verify_password", slow_verify)
    # Every request thread holds a connection while it checks the password.
    overrides = {"DATABASE_URL": database_url, "DB_MAX_CONNECTIONS": 40}
    racing = create_app("test", overrides=overrides)
    assert racing.config["LOGIN_THROTTLE_PER_ACCOUNT"] == LIMIT  # the default
    httpd = make_server("127.0.0.1", 0, racing, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def guess(port: int, start: threading.Barrier, statuses: list) -> None:
    body = urlencode({"email": "ann@example.com", "password": "wrong-password-9"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start.wait()
    connection.request(
        "POST", "/auth/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    statuses.append(connection.getresponse().status)
    connection.close()


def test_concurrent_guesses_are_processed_at_most_up_to_the_limit(server):
    statuses: list[int] = []
    start = threading.Barrier(GUESSES)
    threads = [
        threading.Thread(target=guess, args=(server, start, statuses)) for _ in range(GUESSES)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    processed, refused = statuses.count(200), statuses.count(429)
    assert processed + refused == GUESSES, statuses
    assert 1 <= processed <= LIMIT, statuses
