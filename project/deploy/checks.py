"""`scripts/ctl check`: a deploy checklist in the spirit of `manage.py check --deploy`."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ..config import DEV_SECRET_KEY, ConfigError, is_loopback
from . import privacy, public_url
from .errors import DeployError
from .layout import PACKAGE
from .preflight import app_config, database_status, log_path_problem
from .settings import DeploySettings, describe_environment

OK, WARN, ERROR = "ok", "warning", "error"
Finding = tuple[str, str]
WEAK_KEYS = {DEV_SECRET_KEY, "dev", "secret", "changeme", ""}
# Saved overrides that switch a protection off: (name, values that do) -> what it costs.
INSECURE_OVERRIDES = {
    "APP_SESSION_COOKIE_SECURE": (
        {"0", "false", "no", "off", ""},
        "session cookies travel over plain HTTP",
    ),
    "APP_REMEMBER_COOKIE_SECURE": (
        {"0", "false", "no", "off", ""},
        "remember-me cookies travel over plain HTTP",
    ),
    "APP_DEBUG": ({"1", "true", "yes", "on"}, "the debugger runs any code a visitor sends"),
    "APP_WTF_CSRF_ENABLED": ({"0", "false", "no", "off", ""}, "forms accept cross-site posts"),
    "APP_HSTS_SECONDS": ({"0"}, "browsers may be downgraded to plain HTTP"),
}

COOKIE_FLAGS = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")


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
    yield OK, f"config {settings.config_name!r} loads"
    if config["SECRET_KEY"] in WEAK_KEYS:
        yield (
            ERROR,
            (
                "the secret key is the published development key: anyone can forge sessions "
                "and reset links; set APP_SECRET_KEY, or use --config prod (it makes one)"
            ),
        )
    if config["DEBUG"]:
        yield ERROR, "DEBUG is on: never serve the debugger to the network"
    if settings.config_name != "prod":
        yield WARN, f"serving config {settings.config_name!r}, not prod"


def check_bind(settings: DeploySettings) -> Iterator[Finding]:
    if settings.unix_socket:
        yield OK, f"gunicorn listens on {settings.unix_socket} (folder 2750: nginx's group only)"
    elif settings.host in ("0.0.0.0", "::"):  # noqa: S104
        yield WARN, f"gunicorn binds {settings.host}: put nginx in front and bind 127.0.0.1"
    else:
        yield OK, f"gunicorn binds {settings.host}:{settings.port}"


def check_public_url(settings: DeploySettings) -> Iterator[Finding]:
    yield public_url.finding(settings)


def check_cookies(settings: DeploySettings) -> Iterator[Finding]:
    """prod only. A browser drops a Secure cookie sent over plain HTTP (except on localhost),
    and then every form post fails its CSRF check; a cookie without Secure is readable on the
    way. Both are legitimate for a plain-HTTP site on a trusted network, hence warnings."""
    if settings.config_name != "prod":
        return
    try:
        config = app_config(settings)
    except ConfigError:
        return  # check_config reports it
    plain = [name for name in COOKIE_FLAGS if not config[name]]
    url = urlsplit(settings.public_url)
    if plain:
        yield (
            WARN,
            f"cookies are not Secure ({', '.join(plain)} off): fine only for a plain-HTTP "
            "site; once it is served over HTTPS, drop the override",
        )
    elif url.scheme == "http" and not is_loopback(url.hostname or ""):
        yield (
            WARN,
            f"APP_PUBLIC_URL {settings.public_url} is plain HTTP but the cookies are Secure: "
            "browsers drop them there, so every login ends on the Bad request page; serve "
            "HTTPS (see Sessions in the README)",
        )


def check_permissions(settings: DeploySettings) -> Iterator[Finding]:
    expectations = [
        (settings.run_dir, 0o700),
        (settings.layout.secret_key, 0o600),
        (settings.supervisor_socket, 0o700),
        (settings.etc / "supervisord.conf", 0o600),
    ]
    for path, wanted in expectations:
        yield permission_finding(path, wanted)
    yield private_var_finding(settings)
    if not os.access(settings.var, os.W_OK):
        yield ERROR, f"{settings.var} is not writable by this user"


def permission_finding(path: Path, wanted: int) -> Finding:
    if not path.exists():
        return OK, f"{path} not created yet"
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~wanted & 0o077:
        return ERROR, f"{path} has mode {mode:o}; others must not read it (want {wanted:o})"
    return OK, f"{path} mode {mode:o}"


def private_var_finding(settings: DeploySettings) -> Finding:
    """One finding for all of var/: the database, logs, mail and keys are this user's only
    (with --log-group, that group may also read the logs)."""
    var = settings.var
    allowed = lambda path, mode: False  # noqa: E731
    if settings.log_group:
        gid = privacy.group_id(settings.log_group)
        log_dir = settings.log_dir
        allowed = lambda path, mode: privacy.allowed_for_log_group(path, mode, var, log_dir, gid)  # noqa: E731
    found = privacy.exposed(var, allowed)
    if not found:
        return OK, f"{var} and everything in it private to this user"
    shown = ", ".join(f"{path.relative_to(var.parent)} ({mode:o})" for path, mode in found[:6])
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    return ERROR, (
        f"other local users can read runtime files: {shown}{more}; "
        f"`scripts/ctl restart` makes them private (or chmod -R go-rwx {var})"
    )


def check_root(settings: DeploySettings) -> Iterator[Finding]:
    if os.geteuid() == 0:
        yield (
            ERROR,
            (
                "running as root: supervisord, gunicorn and every worker run as root; "
                "run the bundle as an unprivileged user"
            ),
        )
    else:
        yield OK, "not running as root"


def check_saved_environment(settings: DeploySettings) -> Iterator[Finding]:
    """Every saved APP_* override (they stick until --unset-env), and each insecure one."""
    env = settings.environment
    yield OK, f"saved environment: {describe_environment(env)}"
    for name, value in sorted(env.items()):
        values, cost = INSECURE_OVERRIDES.get(name, (set(), ""))
        if value.strip().lower() in values:
            yield (
                ERROR,
                (
                    f"saved override {name}={value}: {cost}; "
                    f"`scripts/ctl restart --unset-env {name}` drops it"
                ),
            )


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


def check_translations(settings: DeploySettings) -> Iterator[Finding]:
    """Each catalogue compiled since it last changed (else the pages fall back to English)."""
    catalogues = sorted((settings.root / PACKAGE / "translations").glob("*/LC_MESSAGES/*.po"))
    stale = [po.parts[-3] for po in catalogues if not compiled(po)]
    if stale:
        yield ERROR, f"translations not compiled: {', '.join(stale)}: run scripts/ctl i18n compile"
    elif catalogues:
        yield OK, "translations compiled"


def compiled(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime


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
    check_public_url,
    check_cookies,
    check_permissions,
    check_log_paths,
    check_database,
    check_assets,
    check_translations,
    check_systemd_unit,
    check_backups,
    check_root,
    check_saved_environment,
]
