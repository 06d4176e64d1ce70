"""One benchmark run: the bundle and the bare reference, side by side, then the extras.

Order: start the bundle (timed) and the reference from one copy; memory at rest; prepare every
route (log in, get a token, ...); reference, routes, reference again; memory after load; reload
under load; a second (warm) start; then the database routes again on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean

from devkit.bundle import Bundle
from devkit.errors import DevkitError
from devkit.sandbox import copy_project
from project.config import PROJECT_ROOT

from . import wrk
from .errors import BenchError
from .metrics_cost import measure_metrics_cost
from .routes import QUICK_ROUTES, RouteSpec, Skip, Target, select
from .servers import BareServer, master_pid, memory, timed_reload, timed_start
from .translations_cost import measure_translations_cost

DEFAULT_JSON = PROJECT_ROOT / "benchmarks" / "results" / "latest.json"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/bench_db"


@dataclass(frozen=True)
class Options:
    duration: int = 10  # seconds per measured run
    connections: int = 16
    warmup: int = 1  # seconds of load before each measured run (0: none)
    routes: tuple = ()  # route names; empty: all
    reloads: int = 5
    postgres_url: str = DEFAULT_POSTGRES_URL  # empty: skip the PostgreSQL pass
    warm_start: bool = True  # also time a second start (stop, start again)
    settle: float = 2.0  # seconds to let workers finish booting before "at rest" memory
    json_path: Path = field(default=DEFAULT_JSON)


def quick_options(**changes) -> Options:
    """Tiny runs that check the harness works (for the test suite), not how fast anything is."""
    base = {
        "duration": 1,
        "connections": 2,
        "warmup": 0,
        "routes": QUICK_ROUTES,
        "reloads": 1,
        "postgres_url": "",
        "warm_start": False,
        "settle": 0.5,
    }
    return Options(**{**base, **changes})


def run_benchmarks(options: Options, log=print) -> dict:
    """Run everything, write the JSON file, return the results."""
    specs = select(tuple(options.routes))
    results = {"machine": machine(), "options": options_dict(options)}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        try:
            results.update(sqlite_pass(Path(tmp), specs, options, log))
            results["postgresql"] = postgres_pass(Path(tmp), specs, options, log)
        except DevkitError as exc:  # a ctl verb failed: one line for `scripts/ctl bench`
            raise BenchError(exc.summary) from None
    results["machine"]["load_average_end"] = load_average()
    write_json(results, options.json_path)
    return results


def sqlite_pass(tmp: Path, specs: list[RouteSpec], options: Options, log) -> dict:
    bundle = Bundle(copy_project(tmp / "proj"))
    try:
        log(f"bench: starting the bundle from a copy in {bundle.root}")
        start = {"first_start": timed_start(bundle)}
        measured = measure_server(bundle, specs, options, "sqlite", log)
        measured["metrics_cost"] = measure_metrics_cost(bundle, options, log)
        measured["translations_cost"] = measure_translations_cost(bundle, options, log)
        measured["reload"] = reload_under_load(bundle, options, steady_p99(measured), log)
        if options.warm_start:
            bundle.ctl("stop")
            start["warm_start"] = timed_start(bundle)
        measured["start"] = start
        return measured
    finally:
        bundle.cleanup()


def measure_server(bundle: Bundle, specs, options: Options, database: str, log) -> dict:
    """Memory at rest; reference and routes interleaved (ref, route, ref, route, ..., ref);
    memory after load. Each route's ratio is to the mean of the two reference runs around it,
    so a neighbour's test suite slowing the machine down moves both sides of the ratio."""
    bare = BareServer(bundle)
    bare.start()
    try:
        time.sleep(options.settle)
        at_rest = {"bundle": memory(master_pid(bundle)), "bare": memory(bare.master_pid())}
        prepared = prepare(Target(bundle.url, bundle.ctl), specs, log)
        references = [measure_bare(bare, options, log)]
        rows = []
        for spec, prep in prepared:
            rows.append(measure_route(bundle, spec, prep, options, log))
            if "rps" in rows[-1]:
                references.append(measure_bare(bare, options, log))
                rows[-1]["ratio"] = ratio(rows[-1]["rps"], references[-2:])
        after = {"bundle": memory(master_pid(bundle)), "bare": memory(bare.master_pid())}
    finally:
        bare.stop()
    flood = [(spec, prep) for spec, prep in prepared if spec.flood and not isinstance(prep, Skip)]
    floods = [home_under_flood(bundle, spec, prep, options, rows, log) for spec, prep in flood]
    for row in rows:
        row["database"] = database
    reference_rps = mean(ref["rps"] for ref in references)
    return {
        "reference": {"runs": references, "rps": round(reference_rps, 1)},
        "routes": rows,
        "memory": {"at_rest": at_rest, "after_load": after},
        "floods": floods,
    }


def ratio(rps: float, references: list[dict]) -> float | None:
    reference = mean(ref["rps"] for ref in references)
    return round(rps / reference, 3) if reference else None


def prepare(target: Target, specs: list[RouteSpec], log) -> list[tuple[RouteSpec, object]]:
    """Run every setup hook first: the failed-login flood later throttles our own address."""
    prepared = []
    for spec in specs:
        try:
            prepared.append((spec, spec.setup(target)))
        except Skip as reason:
            log(f"bench: skipping {spec.name}: {reason}")
            prepared.append((spec, Skip(str(reason))))
    return prepared


def measure_bare(bare: BareServer, options: Options, log) -> dict:
    if options.warmup:
        wrk.run(bare.url + "/", options.warmup, options.connections)
    result = wrk.run(bare.url + "/", options.duration, options.connections)
    log(f"bench: bare WSGI {result.rps:.0f} req/s")
    return result.as_dict()


def measure_route(bundle: Bundle, spec: RouteSpec, prepared, options: Options, log) -> dict:
    row = {"name": spec.name, "path": spec.path, "note": spec.note}
    if isinstance(prepared, Skip):
        return {**row, "skipped": str(prepared)}
    row["path"] = prepared.path or spec.path
    url = bundle.url + row["path"]
    if options.warmup:
        wrk.run(url, options.warmup, options.connections, prepared)
    result = wrk.run(url, options.duration, options.connections, prepared)
    if result.requests == 0:
        log(f"bench: WARNING {spec.name}: no response completed in {options.duration} s")
    log(f"bench: {spec.name} {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms")
    return {**row, **result.as_dict(spec.ok_statuses)}


FLOOD_CONNECTIONS = 16


def home_under_flood(bundle: Bundle, spec: RouteSpec, prepared, options: Options, rows, log):
    """The home page measured while `spec` runs from 16 more connections (a guessing flood)."""
    url = bundle.url + (prepared.path or spec.path)
    seconds = options.duration + 2
    with wrk.Running(url, seconds, FLOOD_CONNECTIONS, prepared) as flood:
        time.sleep(1)
        home = wrk.run(bundle.url + "/", options.duration, options.connections)
    steady = next((row["p99_ms"] for row in rows if row["path"] == "/" and "p99_ms" in row), None)
    log(f"bench: home during a {spec.name} flood: p99 {home.p99_ms:.1f} ms")
    return {
        "flood": spec.name,
        "flood_connections": FLOOD_CONNECTIONS,
        "flood_result": flood.result.as_dict(spec.ok_statuses),
        "home": home.as_dict(),
        "steady_p99_ms": steady,
        "p99_vs_steady": round(home.p99_ms / steady, 1) if steady else None,
    }


def steady_p99(measured: dict) -> float | None:
    for row in measured["routes"]:
        if row["path"] == "/" and "p99_ms" in row:
            return row["p99_ms"]
    return None


def reload_under_load(bundle: Bundle, options: Options, steady: float | None, log) -> dict:
    """wrk on / while `ctl reload` runs `options.reloads` times back to back."""
    if options.reloads < 1:
        return {"skipped": "--reloads 0"}
    durations = []
    with wrk.Running(bundle.url + "/", 3600, options.connections) as running:
        time.sleep(0.5)
        for _ in range(options.reloads):
            durations.append(round(timed_reload(bundle), 2))
        time.sleep(0.5)
        running.interrupt()
    result = running.result.as_dict()
    ratio = round(result["p99_ms"] / steady, 1) if steady else None
    log(f"bench: {options.reloads} reloads under load: {result['errors']} failed requests")
    return {
        "reloads": options.reloads,
        "reload_seconds": durations,
        **result,
        "steady_p99_ms": steady,
        "p99_vs_steady": ratio,
    }


def postgres_pass(tmp: Path, specs: list[RouteSpec], options: Options, log) -> dict:
    db_specs = [spec for spec in specs if spec.database]
    if not options.postgres_url:
        return {"skipped": "not asked for (no --postgres-url)"}
    if not db_specs:
        return {"skipped": "no database routes selected"}
    problem = reset_postgres(options.postgres_url)
    if problem:
        log(f"bench: PostgreSQL pass skipped: {problem}")
        return {"skipped": problem}
    bundle = Bundle(copy_project(tmp / "pg"), env={"APP_DATABASE_URL": options.postgres_url})
    try:
        log("bench: starting a second bundle on PostgreSQL")
        bundle.start()
        return measure_server(bundle, db_specs, options, "postgresql", log)
    finally:
        bundle.cleanup()


def reset_postgres(url: str) -> str | None:
    """Empty the benchmark database (drop its public schema); the reason when unreachable."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        connection = psycopg2.connect(url, connect_timeout=3)
    except psycopg2.Error as exc:
        return f"cannot connect to {url}: {str(exc).strip().splitlines()[0]}"
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        connection.close()
    return None


def options_dict(options: Options) -> dict:
    data = asdict(options)
    data["json_path"] = str(options.json_path)
    data["keep_alive"] = "off (Connection: close; gunicorn sync workers close after each response)"
    return data


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    import gunicorn

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_total_kib() / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version(),
        "load_average_start": load_average(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_total_kib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def wrk_version() -> str:
    try:
        out = subprocess.run([wrk.wrk_binary(), "--version"], capture_output=True, text=True)
    except (OSError, BenchError):
        return "unknown"
    return (out.stdout or out.stderr).split("Copyright")[0].strip()


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
