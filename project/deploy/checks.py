"""`scripts/ctl check`: a deploy checklist in the spirit of `manage.py check --deploy`."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import ConfigError
from .errors import DeployError
from .preflight import app_config, database_status, log_path_problem
from .settings import DeploySettings

OK, WARN, ERROR = "ok", "warning", "error"
Finding = tuple[str, str]


def run_checks(settings: DeploySettings) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(settings))
    return findings


def check_config(settings: DeploySettings) -> Iterator[Finding]:
    try:
        config = app_config(settings)
    except ConfigError as exc:
        yield ERROR, f"config {settings.config_name!r}: {exc}"
        return
    yield OK, f"config {settings.config_name!r} loads; secret key accepted"
    if config["DEBUG"]:
        yield ERROR, "DEBUG is on: never serve the debugger to the network"
    if settings.config_name != "prod":
        yield WARN, f"serving config {settings.config_name!r}, not prod"


def check_bind(settings: DeploySettings) -> Iterator[Finding]:
    if settings.host in ("0.0.0.0", "::"):  # noqa: S104
        yield WARN, f"gunicorn binds {settings.host}: put nginx in front and bind 127.0.0.1"
    else:
        yield OK, f"gunicorn binds {settings.host}:{settings.port}"


def check_permissions(settings: DeploySettings) -> Iterator[Finding]:
    expectations = [
        (settings.run_dir, 0o700),
        (settings.layout.secret_key, 0o600),
        (settings.supervisor_socket, 0o700),
        (settings.etc / "supervisord.conf", 0o600),
    ]
    for path, wanted in expectations:
        yield permission_finding(path, wanted)
    if not os.access(settings.var, os.W_OK):
        yield ERROR, f"{settings.var} is not writable by this user"


def permission_finding(path: Path, wanted: int) -> Finding:
    if not path.exists():
        return OK, f"{path} not created yet"
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~wanted & 0o077:
        return ERROR, f"{path} has mode {mode:o}; others must not read it (want {wanted:o})"
    return OK, f"{path} mode {mode:o}"


def check_log_paths(settings: DeploySettings) -> Iterator[Finding]:
    for path in (settings.access_log_path, settings.error_log_path):
        problem = log_path_problem(path)
        yield (ERROR, problem) if problem else (OK, f"log {path} writable")


def check_database(settings: DeploySettings) -> Iterator[Finding]:
    try:
        app_config(settings)
    except ConfigError:
        return  # reported by check_config
    try:
        found = database_status(settings)
    except DeployError as exc:
        yield ERROR, str(exc)
        return
    if not found["reachable"]:
        yield ERROR, "database does not answer: check APP_DATABASE_URL"
    elif found["pending"]:
        yield ERROR, f"migrations not applied: {', '.join(found['pending'])}"
    else:
        yield OK, "migrations applied"


def check_assets(settings: DeploySettings) -> Iterator[Finding]:
    if not (settings.root / "package.json").exists():
        return
    if settings.layout.assets_manifest.exists():
        yield OK, "front-end assets built"
    else:
        yield ERROR, "front-end assets not built: run scripts/build-assets"


def check_systemd_unit(settings: DeploySettings) -> Iterator[Finding]:
    from .systemd import installed_unit_paths, render_systemd_unit

    found = [(path, user) for path, user in installed_unit_paths(settings) if path.exists()]
    if not found:
        yield WARN, "no systemd unit installed: the site will not start at boot (README: boot)"
    for path, user in found:
        if path.read_text() == render_systemd_unit(settings, user):
            yield OK, f"systemd unit {path} matches this project"
        else:
            yield ERROR, f"systemd unit {path} differs from etc/systemd/: copy it again"


def check_backups(settings: DeploySettings) -> Iterator[Finding]:
    """A good backup newer than a day and a half, copied off-host when a command is set."""
    from ..backup.site import findings, site_config

    try:
        config = site_config(settings)
    except ConfigError:
        return  # reported by check_config
    yield from findings(config)


CHECKS: list[Callable[[DeploySettings], Iterator[Finding]]] = [
    check_config,
    check_bind,
    check_permissions,
    check_log_paths,
    check_database,
    check_assets,
    check_systemd_unit,
    check_backups,
]
