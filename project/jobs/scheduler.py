"""Periodic tasks run once per tick across every host sharing the store.

Each consumer's scheduler checks the crontabs once a minute. Before enqueueing a periodic task
it claims the key `tick:<task>:<minute>` in the shared store (Redis: SET NX with an expiry;
SQLite, PostgreSQL: an insert that only the first one wins), so two hosts checking the same
minute enqueue it once. APP_JOBS_SCHEDULER=false turns a host's scheduler off altogether.
Hosts' clocks must agree to within a minute (NTP): the key is the minute each host sees.

While the store does not answer, the scheduler logs one line when it stops answering and one
when it answers again (huey's own loop would log a traceback every second).
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime, timedelta

from huey.consumer import Consumer, Scheduler
from huey.storage import RedisStorage

from .. import metrics
from .queue import QueueUnavailable
from .storage import STORAGE_ERRORS

log = logging.getLogger(__name__)

TICK = "tick:"
TICK_FORMAT = "%Y%m%dT%H%M"  # fixed width: keys compare as times
# Long enough that no host still checks that minute; short enough that keys do not pile up.
TICK_TTL_SECONDS = 3600
# How often the scheduler measures the queue for the depth gauge: a count in the store.
DEPTH_SECONDS = 10


def tick_key(task_name: str, now: datetime) -> str:
    return f"{TICK}{task_name}:{now:{TICK_FORMAT}}"


def claim_tick(store, task_name: str, now: datetime) -> bool:
    """True for exactly one caller per task and minute, whichever host it runs on."""
    key = tick_key(task_name, now)
    if isinstance(store, RedisStorage):
        redis_key = f"huey.tick.{store.name}.{key}"
        return bool(store.conn.set(redis_key, "1", nx=True, ex=TICK_TTL_SECONDS))
    return store.put_if_empty(key, b"1")


def purge_ticks(store, now: datetime) -> int:
    """Drop claimed-tick keys older than the TTL (Redis expires its own)."""
    if isinstance(store, RedisStorage):
        return 0
    oldest = f"{now - timedelta(seconds=TICK_TTL_SECONDS):{TICK_FORMAT}}"
    removed = 0
    for key in list(store.result_items()):
        key = key.decode() if isinstance(key, bytes) else key
        if key.startswith(TICK) and key.rpartition(":")[2] < oldest:
            removed += bool(store.delete_data(key))
    return removed


class Outage:
    """Whether the store answered the scheduler's last look, said only when that changes."""

    def __init__(self):
        self.since: float | None = None  # monotonic time of the first failure, while down

    @contextlib.contextmanager
    def watch(self, what: str):
        """Run the block; a store error counts as the outage, another one is logged as a bug
        in `what` (the scheduler thread must go on either way)."""
        try:
            yield
        except (*STORAGE_ERRORS, QueueUnavailable) as exc:
            cause = exc.__cause__ or exc  # QueueUnavailable wraps the store's own error
            if self.since is None:
                self.since = time.monotonic()
                log.error(
                    "job store stopped answering: %s: %s (retrying every second)",
                    type(cause).__name__,
                    cause,
                )
            return
        except Exception:
            log.exception("%s failed", what)
            return
        if self.since is not None:
            log.warning("job store answers again after %.0f s", time.monotonic() - self.since)
            self.since = None


class OncePerTickScheduler(Scheduler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outage = Outage()
        self.next_depth = time.monotonic()  # when to measure the queue depth next

    def loop(self, now=None):
        """huey's loop (jobs due from the schedule each second, periodic ones each minute)
        with the store's errors reported through `Outage`."""
        started = self._next_loop
        self._next_loop += self.interval
        if self._next_loop < time.monotonic():  # stalled (suspend): skip, as huey does
            self._next_loop = time.monotonic()
            return
        with self.outage.watch("enqueueing the jobs due"):
            for task in self.huey.read_schedule(now):
                self.huey.enqueue(task)
        if self.next_depth <= time.monotonic():
            self.next_depth = time.monotonic() + DEPTH_SECONDS
            with self.outage.watch("measuring the queue"):
                metrics.set_queue_depth(self.huey.pending_count())
        if self.periodic and self._next_periodic <= time.monotonic():
            while self._next_periodic <= time.monotonic():  # no catching up after a stall
                self._next_periodic += self.periodic_task_seconds
            self.enqueue_periodic_tasks(now)
        self.sleep_for_interval(started, self.interval)

    def enqueue_periodic_tasks(self, now):
        now = now or self.huey._get_timestamp()
        for task in self.huey.read_periodic(now):
            name = self.huey._registry.task_to_string(type(task))
            tick = f"{now:{TICK_FORMAT}}"
            with self.outage.watch(f"periodic task {name}"):
                if not claim_tick(self.huey.storage, name, now):
                    # another host's scheduler, or this worker's predecessor before a restart
                    log.info("periodic task %s: tick %s claimed already", name, tick)
                    continue
                log.info("periodic task %s: tick %s claimed, enqueueing", name, tick)
                self.huey.enqueue(task)


class AppConsumer(Consumer):
    scheduler_class = OncePerTickScheduler
