"""Job queue benchmark: what enqueueing adds to a request (µs) and jobs/s, per store.

    .venv/bin/python -m benchmarks.jobs [--jobs 2000] [--redis redis://127.0.0.1:6379/5]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

For each store (the embedded SQLite file, Redis and PostgreSQL when they answer; '' skips
one; PostgreSQL gets tables jobs_* in that database): build the app with that
store, enqueue N no-op `ping` jobs inside a request context with no worker running (the time
per call is the cost a view pays), then start the real worker program and time how fast it
empties the queue. Results: a table on stdout and benchmarks/results/jobs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from statistics import median

from project.config import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "jobs.json"
BATCH = 100  # enqueue timings are taken per batch of this many; the median batch is reported


def build_app(var_dir: Path, url: str, queue: str):
    os.environ["APP_VAR_DIR"] = str(var_dir)
    from project.app import create_app

    overrides = {"JOBS_IMMEDIATE": False, "JOBS_URL": url, "JOBS_QUEUE": queue}
    return create_app("test", overrides=overrides)


def enqueue_cost_us(app, count: int) -> float:
    from project.jobs.housekeeping import ping

    per_call = []
    with app.test_request_context():
        for _ in range(count // BATCH):
            start = time.perf_counter()
            for _ in range(BATCH):
                ping()
            per_call.append((time.perf_counter() - start) / BATCH)
    return median(per_call) * 1e6


def worker_env(var_dir: Path, url: str, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env.update(
        APP_CONFIG="dev",
        APP_VAR_DIR=str(var_dir),
        APP_JOBS_URL=url,
        APP_JOBS_QUEUE=queue,
        APP_JOBS_SCHEDULER="false",
        APP_LOG_LEVEL="WARNING",  # a line per job would measure the log, not the queue
    )
    return env


def drain_rate(huey, var_dir: Path, url: str, queue: str, timeout: float = 300) -> float:
    """Start the worker on the full queue; jobs/s from its first job to an empty queue."""
    total = huey.pending_count()
    worker = subprocess.Popen(
        [sys.executable, "-m", "project.jobs.worker"],
        cwd=PROJECT_ROOT,
        env=worker_env(var_dir, url, queue),
    )
    try:
        deadline = time.monotonic() + timeout
        while (left := huey.pending_count()) == total and time.monotonic() < deadline:
            time.sleep(0.005)
        started, first_left = time.perf_counter(), left
        while huey.pending_count() > 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        return first_left / (time.perf_counter() - started)
    finally:
        worker.send_signal(2)  # SIGINT: the graceful stop
        worker.wait(timeout=60)


def measure(name: str, url: str, jobs: int) -> dict:
    from project.jobs import storage
    from project.jobs.queue import huey

    with tempfile.TemporaryDirectory() as tmp:
        var_dir, queue = Path(tmp) / "var", f"bench_{uuid.uuid4().hex[:8]}"
        app = build_app(var_dir, url, queue)
        cost = enqueue_cost_us(app, jobs)
        rate = drain_rate(huey, var_dir, url, queue)
        huey.storage.flush_all()
        storage.close(huey.storage)
    return {"store": name, "jobs": jobs, "enqueue_us": round(cost, 1), "jobs_per_s": round(rate)}


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.close()
        return True
    except redis.RedisError:
        return False


def postgres_answers(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=1).close()
        return True
    except psycopg.Error:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)
    stores = [("sqlite", "")]
    if args.redis and redis_answers(args.redis):
        stores.append(("redis", args.redis))
    if args.postgres and postgres_answers(args.postgres):
        stores.append(("postgres", args.postgres))
    results = [measure(name, url, args.jobs) for name, url in stores]
    print(f"{'store':<9} {'jobs':>6} {'enqueue µs':>11} {'jobs/s':>8}")
    for row in results:
        print(f"{row['store']:<9} {row['jobs']:>6} {row['enqueue_us']:>11} {row['jobs_per_s']:>8}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
