"""What translations cost per page: the app of today against the app just before them.

"Before" is BEFORE_TRANSLATIONS, main just before Flask-Babel was merged (the switcher, the
marked strings, the locale choice), unpacked from this checkout (`git archive`) beside the
bundle's copy, with the copy's virtualenv and node packages and its assets built by its own
script. Both sides are bare gunicorn servers with the bundle's rendered config (`chdir` into
each tree) on the bundle's database, each with a metrics folder of its own. As in
metrics_cost.py, per page both sides are loaded at the same time, round after round, and the
workers' CPU time per request is compared (benchmarks/side_by_side.py).
The Chinese home page is compared with the same English page of before: what a Chinese reader
costs the site.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from devkit.bundle import Bundle
from devkit.net import http_get
from devkit.sandbox import add_tools
from project.config import PROJECT_ROOT

from . import side_by_side, wrk
from .errors import BenchError
from .metrics_cost import metrics_overrides
from .servers import BareServer

# main's last commit before the translations branch was merged (d0331af's first parent).
BEFORE_TRANSLATIONS = "ef8bd24"
# (name, path, request headers): the pages compared.
PAGES = (
    ("home", "/", {}),
    ("home, zh_CN", "/", {"Accept-Language": "zh-CN"}),
    ("login page", "/auth/login", {}),
)
ROUNDS = 6
# What only the translated site has: the header's language switcher.
SWITCHER = b'class="locale-switch"'
BUDGET_PERCENT = 5  # on /, English (issue 22)


def before_tree(bundle: Bundle) -> Path:
    """BEFORE_TRANSLATIONS unpacked next to the bundle's copy, assets built, ready to serve."""
    root = bundle.root.parent / "before-translations"
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", BEFORE_TRANSLATIONS],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise BenchError(
            f"git archive {BEFORE_TRANSLATIONS} failed (a shallow clone has no history): "
            + archive.stderr.decode(errors="replace").strip()[-200:]
        )
    root.mkdir()
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    add_tools(root, bundle.root)
    built = subprocess.run(
        [str(root / "scripts" / "build-assets")], cwd=root, capture_output=True, text=True
    )
    if built.returncode != 0:
        raise BenchError(f"building {BEFORE_TRANSLATIONS}'s assets failed: {built.stderr[-200:]}")
    return root


def measure_translations_cost(bundle: Bundle, options, log) -> dict:
    servers = {
        "before": side(bundle, "before-translations", code=before_tree(bundle)),
        "now": side(bundle, "translations"),
    }
    rounds: dict[str, list] = {}
    repeated: dict[str, int] = {}  # rounds measured again (a worker was replaced during them)
    try:
        for server in servers.values():
            server.start(env=side_env(bundle, server))
        check_sides(servers)
        count = ROUNDS if options.duration > 1 else 1
        for name, path, headers in PAGES:
            request = wrk.Request(headers=headers)
            rounds[name], repeated[name] = side_by_side.compare(
                servers, options, count, [("now", "before")], path, request
            )
    finally:
        for server in servers.values():
            server.stop()
    return {**summary(rounds, log), "repeated_runs": repeated}


def check_sides(servers: dict) -> None:
    """Each side serves the code it stands for: only "now" answers a Chinese reader in
    Chinese, with the language switcher in the header."""
    for side, server in servers.items():
        _, page = http_get(server.url + "/", headers={"Accept-Language": "zh-CN"})
        translated = SWITCHER in page and "运行正常".encode() in page
        if translated != (side == "now"):
            raise BenchError(f"the {side!r} server does not serve the code it stands for")


def side(bundle: Bundle, name: str, code: Path | None = None) -> BareServer:
    """The app served as the bundle serves it, its metrics in a folder of its own."""
    folder = bundle.root / "var" / "bench" / f"{name}-metrics"
    folder.mkdir(parents=True, exist_ok=True)
    overrides = {**metrics_overrides(folder), **side_by_side.NO_RECYCLING}
    return BareServer(bundle, app="project.wsgi:app", name=name, code=code, overrides=overrides)


def side_env(bundle: Bundle, server: BareServer) -> dict:
    return {
        "APP_CONFIG": "prod",
        "APP_VAR_DIR": str(bundle.root / "var"),
        "APP_PUBLIC_URL": server.url,  # prod needs its public URL (links in mail)
    }


def summary(rounds: dict, log) -> dict:
    pages = []
    for (name, path, _), measured in zip(PAGES, rounds.values(), strict=True):
        compared = side_by_side.summary(measured, "now", "before")
        cpu, rps = compared["cpu_us"], compared["rps"]
        pages.append(
            {
                "page": name,
                "path": path,
                "cpu_us_before": cpu["before"],
                "cpu_us_now": cpu["now"],
                "cpu_ratio": compared["cpu_ratio"],
                "cost_percent": compared["cost_percent"],
                "rps_before": rps["before"],
                "rps_now": rps["now"],
                "round_ratios": compared["round_ratios"],
                "rounds": compared["rounds"],
            }
        )
        log(
            f"bench: translations on {name}: CPU {cpu['now']:.0f} vs {cpu['before']:.0f} us "
            f"per request before them; cost {compared['cost_percent']}%"
        )
    return {"before": BEFORE_TRANSLATIONS, "pages": pages, "budget_percent": BUDGET_PERCENT}
