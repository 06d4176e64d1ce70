"""Small helpers shared by tests that run real processes."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll `predicate` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {predicate}")


def answers(url: str) -> bool:
    try:
        return http_get(url, timeout=1.0)[0] == 200
    except OSError:
        return False


def app_log_text(app) -> str:
    """Everything the app logger wrote to var/log/app.log so far."""
    for handler in app.logger.handlers:
        handler.flush()
    with open(app.config["VAR_DIR"] + "/log/app.log", encoding="utf-8") as log:
        return log.read()


def wait_for_mail_threads(timeout: float = 10.0) -> None:
    """Let mail sent in the background (mail.send_in_background) finish: a test must not end,
    and stop its SMTP server, under a message still being sent."""
    for thread in threading.enumerate():
        if thread.name == "mail":
            thread.join(timeout)
