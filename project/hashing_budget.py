"""A site-wide bound on the argon2 work running at once (see README "Password guessing floods").

Every argon2 hash or verification made while serving a request takes one of
ARGON2_CONCURRENCY slots first: a lock file under var/run/ held with flock, so the bound holds
across all gunicorn workers of the host, and a worker that dies drops its lock with it. A
request that finds every slot busy for ARGON2_WAIT_SECONDS gets 503 with Retry-After: a flood
of password guesses can then occupy at most that many cores, and the other workers keep
serving pages. Commands run outside a request (ctl create-user, set-password) never wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l

from .deploy.layout import PROJECT_ROOT, Layout, hashing_slot
from .http_errors import abort_with

POLL_SECONDS = 0.005
BUSY_MESSAGE = _l("The site is busy checking passwords. Try again in a moment.")


@contextlib.contextmanager
def hashing_slot_held():
    """Hold a hashing slot for the block; 503 when none frees up in time (requests only)."""
    if not has_request_context():
        yield
        return
    config = current_app.config
    handle = acquire(
        slot_paths(config["VAR_DIR"], config["ARGON2_CONCURRENCY"]), config["ARGON2_WAIT_SECONDS"]
    )
    if handle is None:
        abort_with(503, "busy", str(BUSY_MESSAGE), headers={"Retry-After": "1"})
    try:
        yield
    finally:
        os.close(handle)  # closing the descriptor releases its flock


def slot_paths(var: str, slots: int) -> list[Path]:
    layout = Layout(PROJECT_ROOT, Path(var))
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    # Start at a slot chosen by pid so workers do not all contend for slot 0 first.
    slots = max(1, slots)
    first = os.getpid() % slots
    return [hashing_slot(layout, (first + offset) % slots) for offset in range(slots)]


def acquire(paths: list[Path], wait_seconds: float) -> int | None:
    """An open descriptor holding the flock of one free slot, or None after `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        for path in paths:
            handle = try_lock(path)
            if handle is not None:
                return handle
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def try_lock(path: Path) -> int | None:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        return None
    return handle
