"""The results as text: one table of routes, then memory, start time and reload lines."""

from __future__ import annotations

from statistics import median

from .side_by_side import interval_text

HEADER = ("route", "path", "db", "req/s", "p50 ms", "p99 ms", "x bare", "errors")


def route_rows(results: dict) -> list[tuple]:
    rows = []
    for section in (results, results.get("postgresql", {})):
        if "reference" not in section:
            continue
        reference = section["reference"]
        errors = sum(run["errors"] for run in reference["runs"])
        db = section["routes"][0]["database"] if section["routes"] else ""
        p50 = median(run["p50_ms"] for run in reference["runs"])
        p99 = median(run["p99_ms"] for run in reference["runs"])
        rps = f"{reference['rps']:.0f}"
        rows.append(("bare WSGI (ref)", "/", db, rps, f"{p50:.1f}", f"{p99:.1f}", "1.00", errors))
        # each route's ratio is to the reference runs just before and after it
        rows += [route_row(row) for row in section["routes"]]
    return rows


def route_row(row: dict) -> tuple:
    if "skipped" in row:
        return (row["name"], row["path"], row["database"], "skipped: " + row["skipped"])
    return (
        row["name"],
        row["path"] if len(row["path"]) <= 32 else row["path"][:31] + "…",
        row["database"],
        f"{row['rps']:.0f}",
        f"{row['p50_ms']:.1f}",
        f"{row['p99_ms']:.1f}",
        f"{row['ratio']:.2f}" if row.get("ratio") is not None else "-",
        str(row["errors"]),
    )


def table(rows: list[tuple]) -> str:
    full = [r for r in rows if len(r) == len(HEADER)] + [HEADER]
    widths = [max(len(str(r[i])) for r in full) for i in range(len(HEADER))]
    for i in range(3):  # a skipped route's name, path and db still line up
        widths[i] = max([widths[i]] + [len(str(r[i])) for r in rows])
    lines = [format_row(HEADER, widths), "  ".join("-" * w for w in widths)]
    lines += [format_row(row, widths) for row in rows]
    return "\n".join(lines)


def format_row(row: tuple, widths: list[int]) -> str:
    if len(row) < len(HEADER):  # a skipped route: the reason runs on
        head = [str(v).ljust(w) for v, w in zip(row[:3], widths[:3], strict=True)]
        return "  ".join([*head, row[3]])
    cells = [
        str(v).ljust(w) if i < 3 else str(v).rjust(w)
        for i, (v, w) in enumerate(zip(row, widths, strict=True))
    ]
    return "  ".join(cells).rstrip()


def memory_lines(results: dict) -> list[str]:
    lines = []
    for moment, label in (("at_rest", "at rest"), ("after_load", "after load")):
        for server in ("bundle", "bare"):
            mem = results["memory"][moment][server]
            workers = ", ".join(f"{w:.1f}" for w in mem["workers_mib"])
            lines.append(
                f"  {server:<6} {label:<10} master {mem['master_mib']:.1f} MiB, "
                f"workers [{workers}] MiB (max {mem['worker_max_mib']:.1f}), "
                f"total {mem['total_mib']:.1f} MiB"
            )
    return lines


def start_lines(results: dict) -> list[str]:
    labels = {"first_start": "first start (new var/, migrations)", "warm_start": "warm start"}
    return [
        f"  {labels[key]}: first 200 on / after {value['first_200_s']:.2f} s "
        f"(ctl returned after {value['ctl_returned_s']:.2f} s)"
        for key, value in results["start"].items()
    ]


def reload_line(reload: dict) -> str:
    if "skipped" in reload:
        return "  skipped: " + reload["skipped"]
    return (
        f"  {reload['reloads']} x ctl reload under load ({reload['requests']} requests): "
        f"{reload['errors']} failed, p99 {reload['p99_ms']:.1f} ms vs steady "
        f"{reload['steady_p99_ms'] or 0:.1f} ms (x{reload['p99_vs_steady'] or 0}), "
        f"max {reload['max_ms']:.0f} ms; each reload took "
        + ", ".join(f"{s:.1f}" for s in reload["reload_seconds"])
        + " s"
    )


def reference_line(results: dict) -> str:
    runs = [
        " / ".join(f"{run['rps']:.0f}" for run in section["reference"]["runs"])
        for section in (results, results.get("postgresql", {}))
        if "reference" in section
    ]
    return "reference runs (one before the first route and one after each), req/s: " + "; ".join(
        runs
    )


def flood_lines(results: dict) -> list[str]:
    lines = []
    for flood in results.get("floods", []):
        lines.append(
            f"  home page during a {flood['flood']} flood ({flood['flood_connections']} "
            f"connections, {flood['flood_result']['rps']:.0f} req/s of it, "
            f"{flood['flood_result']['errors']} unexpected): {flood['home']['rps']:.0f} req/s, "
            f"p99 {flood['home']['p99_ms']:.1f} ms vs steady {flood['steady_p99_ms'] or 0:.1f} ms "
            f"(x{flood['p99_vs_steady']})"
        )
    return ["flood:", *lines] if lines else []


def metrics_cost_line(cost: dict | None) -> str:
    if not cost:
        return "  not measured"
    return (
        f"  {cost['rps_with']:.0f} vs {cost['rps_without']:.0f} req/s without (x{cost['ratio']}); "
        f"worker CPU {cost['cpu_us_with']:.0f} vs {cost['cpu_us_without']:.0f} us per request: "
        f"cost {cost['cost_percent']}% (median of {len(cost['round_ratios'])} rounds' ratios, "
        f"95% interval {interval_text(cost.get('cost_interval_percent'))}; budget "
        f"{cost['budget_percent']}%), the control (the app without them again) "
        f"{cost['control_percent']}% ({interval_text(cost.get('control_interval_percent'))}); "
        f"the layer's own work {cost['layer_us']} us per request "
        f"(in-process); {cost['repeated_runs']} rounds measured again (a worker was replaced)"
    )


def translations_cost_lines(cost: dict | None) -> list[str]:
    if not cost:
        return ["  not measured"]
    return [
        f"  {page['page']} ({page['path']}): worker CPU {page['cpu_us_now']:.0f} vs "
        f"{page['cpu_us_before']:.0f} us per request before: cost {page['cost_percent']}%; "
        f"{page['rps_now']:.0f} vs {page['rps_before']:.0f} req/s"
        for page in cost["pages"]
    ] + [f"  budget {cost['budget_percent']}% on home"]


def render(results: dict) -> str:
    machine = results["machine"]
    options = results["options"]
    parts = [
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"Linux {machine['kernel']}, Python {machine['python']}, gunicorn {machine['gunicorn']}, "
        f"{machine['wrk']}; load average {machine['load_average_start']} -> "
        f"{machine.get('load_average_end')}",
        f"load: wrk, {options['connections']} connections, {options['duration']} s per run, "
        f"keep-alive off; errors = socket errors + unexpected statuses",
        "",
        table(route_rows(results)),
        reference_line(results),
        "",
        "memory (PSS):",
        *memory_lines(results),
        "start (ctl start -> first 200):",
        *start_lines(results),
        "reload:",
        reload_line(results["reload"]),
        "metrics (/ with vs without the metrics layer, same copy and config, loaded at once):",
        metrics_cost_line(results.get("metrics_cost")),
        "translations (each page now vs the commit before them, same config, loaded at once):",
        *translations_cost_lines(results.get("translations_cost")),
    ]
    parts += flood_lines(results)
    postgres = results.get("postgresql", {})
    if "skipped" in postgres:
        parts.append(f"postgresql: skipped: {postgres['skipped']}")
    return "\n".join(parts)
