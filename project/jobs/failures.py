"""Jobs that did not finish, kept in the job store so an operator can see and re-queue them.

Two kinds end up here: a job whose last try raised, and a job that was running when its
worker died (kill -9, power loss). huey removes a job from the queue before running it, so
without the second kind such a job would vanish silently; here it is listed as
"worker died" and `scripts/ctl jobs requeue ID` runs it again (README "Jobs": at-most-once
by itself, at-least-once with that step).
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone

from huey.constants import EmptyData

from .. import metrics

FAILED = "failed:"
RUNNING = "running:"


@dataclass
class FailedJob:
    id: str
    name: str
    reason: str
    failed_at: str
    request_id: str


def worker_identity() -> str:
    """Names this consumer among all hosts sharing the store: host + bundle folder."""
    return f"{socket.gethostname()}:{os.getcwd()}"


def record(huey, task, reason: str, request_id: str) -> None:
    entry = {
        "task": huey.serialize_task(task),
        "name": task.name,
        "reason": reason,
        "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "request_id": request_id,
    }
    huey.storage.put_data(FAILED + task.id, huey.serializer.serialize(entry))
    metrics.job_failed(task.name)  # every way into this list: last try, shutdown, worker died


@contextlib.contextmanager
def in_flight(huey, task):
    """Mark the job as running on this worker for as long as it runs."""
    key = f"{RUNNING}{worker_identity()}:{task.id}"
    huey.storage.put_data(key, huey.serialize_task(task))
    try:
        yield
    finally:
        huey.storage.delete_data(key)


def recover_orphans(huey, request_id: str = "-") -> list[str]:
    """At worker start: jobs this worker's predecessor was running when it died become failed."""
    prefix = f"{RUNNING}{worker_identity()}:"
    recovered = []
    for key in keys_with(huey, prefix):
        data = huey.storage.pop_data(key)
        if data is EmptyData:
            continue
        task = huey.deserialize_task(data)
        record(huey, task, "worker died while running it", task.kwargs.get("_request_id", "-"))
        recovered.append(task.id)
    return recovered


def keys_with(huey, prefix: str) -> list[str]:
    keys = (k.decode() if isinstance(k, bytes) else k for k in huey.storage.result_items())
    return sorted(k for k in keys if k.startswith(prefix))


def failed_jobs(huey) -> list[FailedJob]:
    jobs = []
    for key in keys_with(huey, FAILED):
        data = huey.storage.peek_data(key)
        if data is not EmptyData:
            entry = huey.serializer.deserialize(data)
            fields = {k: entry[k] for k in ("name", "reason", "failed_at", "request_id")}
            jobs.append(FailedJob(id=key[len(FAILED) :], **fields))
    return sorted(jobs, key=lambda job: job.failed_at)


def requeue(huey, job_id: str) -> bool:
    """Put a failed job back on the queue with its full number of tries; False if unknown."""
    data = huey.storage.pop_data(FAILED + job_id)
    if data is EmptyData:
        return False
    task = huey.deserialize_task(huey.serializer.deserialize(data)["task"])
    task.retries = type(task).default_retries
    task.retry_delay = type(task).default_retry_delay
    huey.enqueue(task)
    return True


def running_jobs(huey) -> list[str]:
    return [key[len(RUNNING) :] for key in keys_with(huey, RUNNING)]
