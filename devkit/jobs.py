"""Helpers for tests of the job queue: point the app's queue at a store, or at a dead one."""

from __future__ import annotations

import os

from devkit.net import free_port
from project.jobs import queue

# The Redis database the job tests use (the machine's Redis is shared: one db per project).
TEST_JOBS_URL = os.environ.get("TEST_JOBS_URL", "")


def use_store(app, url: str) -> None:
    """Send the app's jobs to `url` ("" = the embedded SQLite file) instead of running inline."""
    app.config.update(JOBS_IMMEDIATE=False, JOBS_URL=url)
    queue.configure(app)


def queue_down(app) -> None:
    """The queue is Redis on a port where nothing listens: every enqueue fails."""
    use_store(app, f"redis://127.0.0.1:{free_port()}/0")


def store_urls() -> list[str]:
    """The stores the job tests run on: the embedded SQLite file, and Redis when named."""
    return ["", TEST_JOBS_URL] if TEST_JOBS_URL else [""]


def drain(huey) -> list:
    """Run every queued job the way a worker does (outside any app context); their tasks."""
    ran = []
    huey.storage.blocking = False  # an empty Redis queue answers at once instead of in 1 s
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran.append(task)
    return ran
