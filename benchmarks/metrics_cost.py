"""What the metrics cost per request on `/`: the app with and without its metrics layer.

Two gunicorn servers from the same copy and the same rendered config, identical but for the
metrics layer: "with" is `project.wsgi:app` in multiprocess mode, exactly as the bundle runs it
(the config's own `raw_env` sets PROMETHEUS_MULTIPROC_DIR in the master and its hooks mark dead
workers in that same folder, the with side's own); "without" is `benchmarks.no_metrics_app`.
Both run outside supervisord, because the bundle itself measures slower than the same app under
a bare gunicorn (also on main before the metrics existed), which would be charged to the
metrics otherwise. Runs alternate, and which side goes first flips every round, so a
neighbour's load and any drift over the run move both sides; besides requests/s, the workers'
CPU time per request is compared (medians over the rounds), which load on a shared machine
moves less than throughput. Finally the layer's own work is timed in-process
(benchmarks/metrics_layer.py), which no neighbour's load can blur much.

A run in which gunicorn replaced a worker is not counted but measured again (`repeated_runs`
says how often): `max_requests` recycles each worker after 10000-15000 requests, which both
sides reach during the rounds, and a worker that exits takes its CPU time out of /proc with it
while its requests stay in wrk's count, and its replacement's CPU (mostly importing the app) is
not the per-request cost either. Such runs measured 0 to 620 us per request against ~1000 for
the clean ones, on either side, and their share of the five rounds decided the old medians.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import partial
from pathlib import Path
from statistics import median

from devkit.bundle import Bundle
from project.deploy import processes
from project.deploy.gunicorn import METRICS_ENV

from . import wrk
from .errors import BenchError
from .servers import BareServer

ROUNDS = 5
# Tries per side and round: a run in which a worker was replaced is measured again.
ATTEMPTS = 4
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each live pid (/proc/PID/stat fields 14 and 15)."""
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def measured_run(
    server: BareServer, options, path: str = "/", request: wrk.Request | None = None
) -> tuple[float, float] | None:
    """(requests/s, worker CPU microseconds per request) of one wrk run on `path`; None when
    the set of workers changed during it (its CPU time is then not the requests')."""
    url = server.url + path
    if options.warmup:
        wrk.run(url, options.warmup, options.connections, request)
    workers = processes.children(server.master_pid())
    before = cpu_seconds(workers)
    result = wrk.run(url, options.duration, options.connections, request)
    after = cpu_seconds(workers)
    if processes.children(server.master_pid()) != workers or after.keys() != before.keys():
        return None
    used = sum(after[pid] - before[pid] for pid in after)
    return result.rps, (used / result.requests * 1e6 if result.requests else 0.0)


def alternate(measure: dict, rounds: int, attempts: int = ATTEMPTS) -> tuple[dict, int]:
    """Call each side's `measure()` once per round, the first side flipping every round;
    a None (a worker was replaced) is measured again, up to `attempts` tries. Returns the
    runs of each side and how many were measured again."""
    runs: dict[str, list] = {side: [] for side in measure}
    repeated = 0
    for number in range(rounds):
        sides = list(measure) if number % 2 == 0 else list(reversed(measure))
        for side in sides:
            for _ in range(attempts):
                run = measure[side]()
                if run is not None:
                    runs[side].append(run)
                    break
                repeated += 1
    return runs, repeated


def metrics_overrides(folder: Path) -> dict:
    """The bundle config's metrics settings, aimed at `folder`: the master sets the variable
    for its workers (`raw_env`) and its hooks mark dead workers there (`METRICS_DIR`)."""
    return {"raw_env": [f"{METRICS_ENV}={folder}"], "METRICS_DIR": str(folder)}


def measure_metrics_cost(bundle: Bundle, options, log) -> dict:
    env = {"APP_CONFIG": "prod", "APP_VAR_DIR": str(bundle.root / "var")}
    folder = bundle.root / "var" / "bench" / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    servers = {
        "with": BareServer(
            bundle, app="project.wsgi:app", name="with-metrics", overrides=metrics_overrides(folder)
        ),
        "without": BareServer(bundle, app="benchmarks.no_metrics_app:app", name="no-metrics"),
    }
    try:
        for server in servers.values():
            # prod needs its public URL (links in mail): each side's own loopback address.
            server.start(env={**env, "APP_PUBLIC_URL": server.url})
        measure = {side: partial(measured_run, server, options) for side, server in servers.items()}
        runs, repeated = alternate(measure, ROUNDS if options.duration > 1 else 1)
    finally:
        for server in servers.values():
            server.stop()
    if not all(runs.values()):
        raise BenchError("metrics cost: a worker was replaced in every try of a run")
    result = summary(runs, log)
    return {**result, "repeated_runs": repeated, "layer_us": layer_cost(bundle, folder)}


def layer_cost(bundle: Bundle, folder) -> float:
    """Microseconds of CPU the metrics layer adds to a request (in-process, multiprocess mode)."""
    layer_dir = folder.parent / "layer-metrics"
    layer_dir.mkdir(exist_ok=True)
    result = subprocess.run(
        [str(bundle.root / ".venv" / "bin" / "python"), "-m", "benchmarks.metrics_layer"],
        cwd=bundle.root,
        env={**bundle.env, "PROMETHEUS_MULTIPROC_DIR": str(layer_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)["layer_us"]


def summary(runs: dict[str, list], log) -> dict:
    rps = {side: median(r for r, _ in values) for side, values in runs.items()}
    cpu = {side: median(c for _, c in values) for side, values in runs.items()}
    rps_ratio = rps["with"] / rps["without"] if rps["without"] else None
    cpu_ratio = cpu["with"] / cpu["without"] if cpu["without"] else None
    log(
        f"bench: metrics on /: {rps['with']:.0f} vs {rps['without']:.0f} req/s without; "
        f"CPU {cpu['with']:.0f} vs {cpu['without']:.0f} us per request"
    )
    return {
        "route": "/",
        "rps_with": round(rps["with"], 1),
        "rps_without": round(rps["without"], 1),
        "ratio": round(rps_ratio, 3) if rps_ratio else None,
        "cpu_us_with": round(cpu["with"], 1),
        "cpu_us_without": round(cpu["without"], 1),
        "cpu_ratio": round(cpu_ratio, 3) if cpu_ratio else None,
        "cost_percent": round((cpu_ratio - 1) * 100, 1) if cpu_ratio else None,
        "runs": {side: [[round(r, 1), round(c, 1)] for r, c in v] for side, v in runs.items()},
        "budget_percent": 5,
    }
