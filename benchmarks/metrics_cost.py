"""What the metrics cost per request on `/`: the app with and without its metrics layer.

Two gunicorn servers from the same copy and the same rendered config, identical but for the
metrics layer: "with" is `project.wsgi:app` in multiprocess mode (its own metrics folder),
exactly as the bundle runs it; "without" is `benchmarks.no_metrics_app`. Both run outside
supervisord, because the bundle itself measures slower than the same app under a bare gunicorn
(also on main before the metrics existed), which would be charged to the metrics otherwise.
Runs alternate (with, without, with, ...) so a neighbour's load moves both sides; besides
requests/s, the workers' CPU time per request is compared (medians over the rounds), which
load on a shared machine moves less than throughput. Finally the layer's own work is timed
in-process (benchmarks/metrics_layer.py), which no neighbour's load can blur much.
"""

from __future__ import annotations

import json
import os
import subprocess
from statistics import median

from devkit.bundle import Bundle
from project.deploy import processes

from . import wrk
from .servers import BareServer

ROUNDS = 5
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
) -> tuple[float, float]:
    """(requests/s, worker CPU microseconds per request) of one wrk run on `path`."""
    url = server.url + path
    if options.warmup:
        wrk.run(url, options.warmup, options.connections, request)
    workers = processes.children(server.master_pid())
    before = cpu_seconds(workers)
    result = wrk.run(url, options.duration, options.connections, request)
    after = cpu_seconds(workers)
    used = sum(after[pid] - before[pid] for pid in after if pid in before)
    return result.rps, (used / result.requests * 1e6 if result.requests else 0.0)


def measure_metrics_cost(bundle: Bundle, options, log) -> dict:
    env = {"APP_CONFIG": "prod", "APP_VAR_DIR": str(bundle.root / "var")}
    folder = bundle.root / "var" / "bench" / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    servers = {
        "with": BareServer(bundle, app="project.wsgi:app", name="with-metrics"),
        "without": BareServer(bundle, app="benchmarks.no_metrics_app:app", name="no-metrics"),
    }
    runs: dict[str, list] = {"with": [], "without": []}
    try:
        # prod needs its public URL (links in mail): each side's own loopback address.
        with_env = {**env, "APP_PUBLIC_URL": servers["with"].url}
        servers["with"].start(env={**with_env, "PROMETHEUS_MULTIPROC_DIR": str(folder)})
        servers["without"].start(env={**env, "APP_PUBLIC_URL": servers["without"].url})
        for _ in range(ROUNDS if options.duration > 1 else 1):
            for side, server in servers.items():
                runs[side].append(measured_run(server, options))
    finally:
        for server in servers.values():
            server.stop()
    return {**summary(runs, log), "layer_us": layer_cost(bundle, folder)}


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
