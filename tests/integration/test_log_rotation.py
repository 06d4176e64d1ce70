"""Logs under load through the real bundle: rotation loses and duplicates nothing."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import re
import time
from pathlib import Path

import pytest

from devkit.load import Load
from devkit.polling import wait_until
from project.deploy import logrotate

pytestmark = pytest.mark.integration

PROBE_ROUTE = """

@bp.get("/probe/<int:number>")
def probe(number):
    from flask import current_app

    current_app.logger.info("probe %s", number)
    return "ok"
"""


def add_probe_route(bundle) -> None:
    views = bundle.root / "project" / "main" / "views.py"
    views.write_text(views.read_text() + PROBE_ROUTE)


def read_all(path) -> list[str]:
    """Lines of the live log and every rotated (maybe gzipped) file of it."""
    lines = []
    for rotated in [*logrotate.rotated_files(path), path]:
        if not rotated.exists():
            continue
        opener = gzip.open if rotated.suffix == ".gz" else open
        with opener(rotated, "rt") as handle:
            lines += handle.read().splitlines()
    return lines


def probe_numbers(lines: list[str], pattern: str) -> list[int]:
    regex = re.compile(pattern)
    return [int(m.group(1)) for line in lines if (m := regex.search(line))]


def test_rotation_under_load_is_lossless(bundle):
    add_probe_route(bundle)
    bundle.start("--workers", "3")
    counter = itertools.count()
    with Load("127.0.0.1", bundle.port, path=lambda: f"/probe/{next(counter)}", clients=6) as load:
        for _ in range(4):
            time.sleep(0.4)
            assert "rotated" in bundle.ctl("rotate-logs").stdout
        time.sleep(0.4)
    assert load.failures == 0, (load.statuses, load.errors[:3])
    served = sorted(int(path.rsplit("/", 1)[1]) for path, status, _ in load.responses)
    assert len(served) > 100

    log_dir = bundle.root / "var" / "log"
    access = log_dir / "access.log"
    app_log = log_dir / "app.log"

    # A worker writes its access line just after the response: wait until all are there.
    def access_probes():
        found = probe_numbers(read_all(access), r'"GET /probe/(\d+) ')
        return found if len(found) >= len(served) else None

    assert sorted(wait_until(access_probes, timeout=10)) == served
    assert sorted(probe_numbers(read_all(app_log), r"probe (\d+)$")) == served
    assert len(logrotate.rotated_files(access)) >= 4
    assert all(
        re.search(r"\.\d{4}-\d{2}-\d{2}(\.\d+)?(\.gz)?$", f.name)
        for f in logrotate.rotated_files(access)
    )


def test_request_id_leads_to_access_and_app_lines(bundle):
    add_probe_route(bundle)
    bundle.start("--workers", "2")
    with Load("127.0.0.1", bundle.port, path="/probe/4242", clients=1) as load:
        wait_until(lambda: load.responses)
    _path, status, request_id = load.responses[0]
    assert status == 200 and len(request_id) == 32
    log_dir = bundle.root / "var" / "log"
    wait_until(lambda: any(request_id in line for line in read_all(log_dir / "access.log")))
    access_line = next(line for line in read_all(log_dir / "access.log") if request_id in line)
    assert '"GET /probe/4242 HTTP/1.1" 200' in access_line
    app_lines = [line for line in read_all(log_dir / "app.log") if request_id in line]
    assert app_lines and app_lines[0].endswith("probe 4242")


def modification_times(paths: list[Path]) -> list[float]:
    """Of the files still there: the rotator, running every second, gzips (removing the
    original) and deletes between a listing and a stat."""
    times = []
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            times.append(path.stat().st_mtime)
    return times


def test_rotator_program_keeps_disk_use_bounded(bundle):
    # Rotate every second; keep ~6 s of rotated files (0.00007 days).
    bundle.start("--workers", "2", "--rotate-every", "1", "--keep-days", "0.00007")
    assert "rotate-logs" in bundle.ctl("status").stdout
    access = bundle.root / "var" / "log" / "access.log"
    counts = []
    with Load("127.0.0.1", bundle.port, path="/healthz", clients=2):
        for _ in range(12):
            time.sleep(1)
            counts.append(len(logrotate.rotated_files(access)))
    assert max(counts) >= 2, counts  # the program does rotate
    assert counts[-1] <= 10, counts  # and retention deletes: not one file per second forever
    oldest = min(modification_times(logrotate.rotated_files(access)))
    assert time.time() - oldest < 6 + 5 + 3  # keep + compression settle + slack
