"""Periodic tasks run once per tick across every host sharing the store.

Each consumer's scheduler checks the crontabs once a minute. Before enqueueing a periodic task
it claims the key `tick:<task>:<minute>` in the shared store (Redis: SET NX with an expiry;
SQLite, PostgreSQL: an insert that only the first one wins), so two hosts checking the same
minute enqueue it once. APP_JOBS_SCHEDULER=false turns a host's scheduler off altogether.
Hosts' clocks must agree to within a minute (NTP): the key is the minute each host sees.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey.consumer import Consumer, Scheduler
from huey.storage import RedisStorage

log = logging.getLogger(__name__)

TICK = "tick:"
TICK_FORMAT = "%Y%m%dT%H%M"  # fixed width: keys compare as times
# Long enough that no host still checks that minute; short enough that keys do not pile up.
TICK_TTL_SECONDS = 3600


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


class OncePerTickScheduler(Scheduler):
    def enqueue_periodic_tasks(self, now):
        now = now or self.huey._get_timestamp()
        for task in self.huey.read_periodic(now):
            name = self.huey._registry.task_to_string(type(task))
            tick = f"{now:{TICK_FORMAT}}"
            try:
                if not claim_tick(self.huey.storage, name, now):
                    # another host's scheduler, or this worker's predecessor before a restart
                    log.info("periodic task %s: tick %s claimed already", name, tick)
                    continue
                log.info("periodic task %s: tick %s claimed, enqueueing", name, tick)
                self.huey.enqueue(task)
            except Exception:  # the scheduler thread must outlive a store outage
                log.exception("periodic task %s not enqueued", name)


class AppConsumer(Consumer):
    scheduler_class = OncePerTickScheduler
