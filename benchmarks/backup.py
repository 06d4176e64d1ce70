"""What a nightly backup costs a live site: backup time, and the p99 of `/` while it runs.

    .venv/bin/python -m benchmarks.backup [--notes 100000] [--postgres-url URL] [--json PATH]

For SQLite, then PostgreSQL (a database of its own, emptied first): a bundle in a temp copy,
one user with `--notes` notes inserted directly, `/` measured with wrk at rest, then again
while `ctl backup` runs back to back for as long as a steady run lasts.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from devkit.sandbox import copy_project

from . import wrk
from .errors import BenchError
from .run import reset_postgres
from .servers import Bundle

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/backups_bench"
# Notes of ~40 words drawn from a small vocabulary: compresses like prose, not like one string.
VOCABULARY = """backup restore night queue table index page write read lock user note list day
week month server disk copy check file site host client request answer"""
WORDS = VOCABULARY.split()
OWNER = "bench-backup@example.com"


def seed_rows(count: int) -> list[tuple]:
    rng = random.Random(18)
    stamp = "2026-01-01 00:00:00"
    body = lambda: " ".join(rng.choices(WORDS, k=40))  # noqa: E731
    return [(1, f"note {n}", body(), stamp, stamp) for n in range(count)]


INSERT = "INSERT INTO notes (owner_id, title, body, created_at, updated_at) VALUES "


def seed_sqlite(bundle: Bundle, count: int) -> None:
    with closing(sqlite3.connect(bundle.root / "var" / "data" / "app.db")) as connection:
        connection.executemany(INSERT + "(?, ?, ?, ?, ?)", seed_rows(count))
        connection.commit()


def seed_postgres(url: str, count: int) -> None:
    import psycopg2
    from psycopg2.extras import execute_values

    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        execute_values(cursor, INSERT + "%s", seed_rows(count), page_size=5000)
        connection.commit()


def backup_once(bundle: Bundle) -> dict:
    """One `ctl backup`: wall time of the verb, and the snapshot and verify times it recorded."""
    began = time.monotonic()
    out = bundle.ctl("backup", timeout=1800)
    wall = time.monotonic() - began
    path = Path(re.search(r"^backup (\S+) ", out, re.M).group(1))
    verdict = json.loads(path.with_name(path.name + ".verdict.json").read_text())
    return {
        "wall_s": round(wall, 2),
        "snapshot_and_pack_s": verdict["backup_seconds"],
        "verify_s": verdict["verify_seconds"],
        "file_mib": round(path.stat().st_size / 2**20, 2),
    }


def measure(bundle: Bundle, seconds: int, connections: int, log) -> dict:
    home = bundle.url + "/"
    wrk.run(home, 1, connections)  # warm up
    steady = wrk.run(home, seconds, connections)
    log(f"bench: / at rest: p99 {steady.p99_ms:.1f} ms")
    backups = []
    with wrk.Running(home, 3600, connections) as running:
        time.sleep(0.5)
        began = time.monotonic()
        while not backups or time.monotonic() - began < seconds:
            backups.append(backup_once(bundle))
            log(f"bench: backup {backups[-1]}")
        running.interrupt()
    during = running.result
    return {
        "steady": steady.as_dict(),
        "during_backups": during.as_dict(),
        "backups": backups,
        "p99_vs_steady": round(during.p99_ms / steady.p99_ms, 1) if steady.p99_ms else None,
    }


def run_pass(tmp: Path, kind: str, env: dict, notes: int, options, log) -> dict:
    bundle = Bundle(copy_project(tmp / kind), env=env)
    try:
        bundle.start()
        bundle.ctl("create-user", OWNER, "--password-stdin", input="bench-backup-pass-71\n")
        log(f"bench: {kind}: inserting {notes} notes")
        if kind == "sqlite":
            seed_sqlite(bundle, notes)
        else:
            seed_postgres(env["APP_DATABASE_URL"], notes)
        return {"database": kind, "notes": notes, **measure(bundle, *options, log)}
    finally:
        bundle.cleanup()


def run(notes: int, postgres_url: str, seconds: int, connections: int, log=print) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        results["sqlite"] = run_pass(Path(tmp), "sqlite", {}, notes, (seconds, connections), log)
        problem = reset_postgres(postgres_url) if postgres_url else "no --postgres-url"
        if problem:
            results["postgresql"] = {"skipped": problem}
        else:
            env = {"APP_DATABASE_URL": postgres_url}
            results["postgresql"] = run_pass(
                Path(tmp), "postgresql", env, notes, (seconds, connections), log
            )
    return results


def render(results: dict) -> str:
    lines = ["db          notes  backup s (wall / snapshot+pack / verify)  file MiB  / p99 ms"]
    for kind, row in results.items():
        if "skipped" in row:
            lines.append(f"{kind:<10} skipped: {row['skipped']}")
            continue
        first = row["backups"][0]
        lines.append(
            f"{kind:<10} {row['notes']:>6}  "
            f"{first['wall_s']:>6.1f} / {first['snapshot_and_pack_s']:>5.2f} / "
            f"{first['verify_s']:>5.2f}{'':>17}  {first['file_mib']:>8.1f}  "
            f"{row['steady']['p99_ms']:.1f} at rest, {row['during_backups']['p99_ms']:.1f} "
            f"during {len(row['backups'])} backups ({row['during_backups']['errors']} errors)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="'' skips the pass")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    try:
        results = run(args.notes, args.postgres_url, args.duration, args.connections)
    except BenchError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
