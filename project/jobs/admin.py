"""What an operator asks of the queue (`scripts/ctl jobs`, `status`): counts, listings,
re-queueing a failed job, running a task now. Plain functions over the configured huey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import import_module

from huey.constants import EmptyData

from . import failures, storage
from .housekeeping import HEARTBEAT
from .queue import huey

STORE_ERRORS = storage.STORAGE_ERRORS


class UnknownTask(LookupError):
    pass


def connect(config: dict) -> str:
    """Point the queue at the store `config` names, outside any app; the store's description.

    Task modules are imported so listings can name every job."""
    from .worker import TASK_MODULES

    for module in TASK_MODULES:
        import_module(module)
    storage.close(huey.storage)
    huey.immediate = False
    huey.storage = storage.make_storage(config)
    return storage.describe(config)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Counts:
    queued: int
    scheduled: int
    failed: int
    running: int
    last_tick: datetime | None  # the scheduler's last heartbeat (UTC)

    def summary(self, now: datetime) -> str:
        tick = "no tick yet"
        if self.last_tick is not None:
            tick = f"last tick {int((now - self.last_tick).total_seconds())} s ago"
        return (
            f"{self.queued} queued, {self.scheduled} scheduled, {self.failed} failed, "
            f"{self.running} running; {tick}"
        )


@dataclass(frozen=True)
class Row:
    state: str  # queued, scheduled, running, failed
    id: str
    name: str
    detail: str


def counts() -> Counts:
    return Counts(
        queued=huey.pending_count(),
        scheduled=huey.scheduled_count(),
        failed=len(failures.failed_jobs(huey)),
        running=len(failures.running_jobs(huey)),
        last_tick=last_tick(),
    )


def last_tick() -> datetime | None:
    data = huey.storage.peek_data(HEARTBEAT)
    return None if data is EmptyData else datetime.fromisoformat(data.decode())


def rows(limit: int = 100) -> list[Row]:
    """Every job the store knows of, by state: queued, scheduled, running, failed."""
    listing = [Row("queued", t.id, t.name, "") for t in huey.pending(limit)]
    listing += [
        Row("scheduled", t.id, t.name, f"eta {t.eta:%Y-%m-%d %H:%M:%S}")
        for t in huey.scheduled(limit)
    ]
    for key in failures.running_jobs(huey):
        where, _, job_id = key.rpartition(":")
        listing.append(Row("running", job_id, "", f"on {where}"))
    for job in failures.failed_jobs(huey):
        detail = f"{job.failed_at} request {job.request_id}: {job.reason}"
        listing.append(Row("failed", job.id, job.name, detail))
    return listing


def requeue(job_id: str) -> bool:
    return failures.requeue(huey, job_id)


def requeue_all() -> int:
    return sum(failures.requeue(huey, job.id) for job in failures.failed_jobs(huey))


def task_names() -> list[str]:
    return sorted(cls.__name__ for cls in huey._registry._registry.values())


def run_now(name: str) -> str:
    """Enqueue the task called `name` (no arguments), e.g. purge_expired; its job id."""
    for cls in huey._registry._registry.values():
        if cls.__name__ == name:
            task = cls()
            huey.enqueue(task)
            return task.id
    raise UnknownTask(name)
