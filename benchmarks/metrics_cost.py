"""What the metrics cost per request on `/`: the app with and without its metrics layer.

Two gunicorn servers from the same copy and the same rendered config, identical but for the
metrics layer: "with" is `project.wsgi:app` in multiprocess mode, exactly as the bundle runs it
(the config's own `raw_env` sets PROMETHEUS_MULTIPROC_DIR in the master and its hooks mark dead
workers in that same folder, the with side's own); "without" is `benchmarks.no_metrics_app`.
Both run outside supervisord, because the bundle itself measures slower than the same app under
a bare gunicorn (also on main before the metrics existed), which would be charged to the
metrics otherwise. A third server, "control", is a second copy of "without": its "cost" against
"without" is the noise left in the run, printed next to the result. Rounds load "with" and
"without" at once, then "control" and "without", in turn, and compare the workers' CPU time
per request; the three servers are started afresh several times in the run
(benchmarks/side_by_side.py: why at once, why two, why afresh, why without recycling).
Finally the layer's own work is timed in-process (benchmarks/metrics_layer.py), which no
neighbour's load can blur much.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from devkit.bundle import Bundle
from project.deploy.gunicorn import METRICS_ENV

from . import side_by_side
from .servers import BareServer

# Fresh masters of the three servers, each measuring both pairs in both orders: 48 rounds,
# 24 of the cost and 24 of the control (10 min): fewer leave the interval too wide to tell
# a cost from the 5 % budget.
INSTANCES = 12
PAIRS = [("with", "without"), ("control", "without")]
BUDGET_PERCENT = 5  # on / (issue 19)


def metrics_overrides(folder: Path) -> dict:
    """The bundle config's metrics settings, aimed at `folder`: the master sets the variable
    for its workers (`raw_env`) and its hooks mark dead workers there (`METRICS_DIR`)."""
    return {"raw_env": [f"{METRICS_ENV}={folder}"], "METRICS_DIR": str(folder)}


def measure_metrics_cost(bundle: Bundle, options, log) -> dict:
    env = {"APP_CONFIG": "prod", "APP_VAR_DIR": str(bundle.root / "var")}
    folder = bundle.root / "var" / "bench" / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    with_metrics = {**metrics_overrides(folder), **side_by_side.NO_RECYCLING}
    servers = {
        "with": BareServer(
            bundle, app="project.wsgi:app", name="with-metrics", overrides=with_metrics
        ),
        "without": without_metrics(bundle, "no-metrics"),
        "control": without_metrics(bundle, "no-metrics-control"),
    }

    def start(server: BareServer) -> None:
        if server is servers["with"]:  # wiped at each start, as the bundle's is
            shutil.rmtree(folder)
            folder.mkdir()
        # prod needs its public URL (links in mail): each side's own loopback address.
        server.start(env={**env, "APP_PUBLIC_URL": server.url})

    instances = INSTANCES if options.duration > 1 else 1
    rounds, repeated = side_by_side.compare_fresh(servers, start, options, instances, PAIRS)
    result = summary(rounds, log)
    return {**result, "repeated_runs": repeated, "layer_us": layer_cost(bundle, folder)}


def without_metrics(bundle: Bundle, name: str) -> BareServer:
    return BareServer(
        bundle,
        app="benchmarks.no_metrics_app:app",
        name=name,
        overrides=side_by_side.NO_RECYCLING,
    )


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


def summary(rounds: list[dict], log) -> dict:
    compared = side_by_side.summary(rounds, "with", "without")
    control = side_by_side.summary(rounds, "control", "without")
    cpu, rps = compared["cpu_us"], compared["rps"]

    def interval(pair: dict) -> str:
        return side_by_side.interval_text(pair["cost_interval_percent"])

    log(
        f"bench: metrics on /: {rps['with']:.0f} vs {rps['without']:.0f} req/s without; "
        f"CPU {cpu['with']:.0f} vs {cpu['without']:.0f} us per request; "
        f"cost {compared['cost_percent']}% (median of {len(compared['rounds'])} rounds, "
        f"95% interval {interval(compared)}; the control {control['cost_percent']}%, "
        f"{interval(control)})"
    )
    ratio = rps["with"] / rps["without"] if rps["without"] else None
    return {
        "route": "/",
        "rps_with": rps["with"],
        "rps_without": rps["without"],
        "ratio": round(ratio, 3) if ratio else None,
        "cpu_us_with": cpu["with"],
        "cpu_us_without": cpu["without"],
        "cpu_ratio": compared["cpu_ratio"],
        "cost_percent": compared["cost_percent"],
        "cost_interval_percent": compared["cost_interval_percent"],
        "round_ratios": compared["round_ratios"],
        # The same app as "without" on a third server: what the run's noise alone "costs".
        "control_percent": control["cost_percent"],
        "control_interval_percent": control["cost_interval_percent"],
        "control_round_ratios": control["round_ratios"],
        "rounds": compared["rounds"],
        "budget_percent": BUDGET_PERCENT,
    }
