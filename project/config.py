"""Named configurations (dev, test, prod) and how one is chosen and checked.

A configuration is a plain class of UPPER_CASE settings. `load_config(name, environ)` picks
one by name (argument, else `APP_CONFIG`), applies `APP_<SETTING>` overrides, resolves the
secret key, and validates the result. An unknown name is an error, never a fallback.

This module is the only reader of `APP_*` settings: everything else gets the environment (or
the loaded settings) passed in. `choose_config_name` is the one rule every verb uses.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from .deploy.layout import PROJECT_ROOT, Layout, var_dir
from .user_errors import UserError

__all__ = ["PROJECT_ROOT", "ConfigError", "choose_config_name", "load_config", "var_dir"]

ENV_PREFIX = "APP_"
# Only the dev and test configs may use this key; prod refuses it.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32
# A host name or IPv4 address (lower case, as urlsplit gives it), or an IPv6 address.
HOST_NAME = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]*:[0-9a-f:.]*")


class ConfigError(UserError):
    """A configuration cannot be used; the message is one line meant for the user."""


class BaseConfig:
    DEBUG = False
    TESTING = False
    SECRET_KEY = ""
    DATABASE_URL = ""  # empty means the embedded SQLite file under var/data/
    DB_MAX_CONNECTIONS = 8
    DB_STALE_TIMEOUT = 300
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # argon2 runs allowed at once on this host, across all workers (hashing_budget.py); a
    # request waiting longer than ARGON2_WAIT_SECONDS for one gets 503 + Retry-After.
    ARGON2_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
    ARGON2_WAIT_SECONDS = 2
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600  # seconds
    # Login sessions live on the server (auth/sessions.py, ASVS 5.0 V7.3): one unused for its
    # idle timeout (seconds; the longer one with "remember me"), or older than the absolute
    # lifetime, is ended there, whatever its cookies say.
    SESSION_IDLE_TIMEOUT = 30 * 60
    SESSION_REMEMBER_IDLE_TIMEOUT = 30 * 24 * 3600
    SESSION_MAX_LIFETIME = 30 * 24 * 3600
    # Failed logins allowed per account and per client address within the window
    # (seconds); over either limit a login is refused before any hashing (auth/throttle.py).
    LOGIN_THROTTLE_WINDOW = 900
    LOGIN_THROTTLE_PER_ACCOUNT = 10
    LOGIN_THROTTLE_PER_ADDRESS = 30
    # A browser that logged in to an account before carries a signed device cookie for it:
    # its attempts count per device (this limit), not against the account's limit, so
    # strangers failing on an account do not lock its owner out (OWASP "device cookies").
    LOGIN_THROTTLE_PER_DEVICE = 10
    DEVICE_COOKIE_NAME = "device"
    DEVICE_COOKIE_DURATION = 365 * 24 * 3600
    # Mails the site sends on request (reset, confirmation, email change) and registrations,
    # allowed per MAIL_LIMIT_WINDOW seconds (project/limits.py): per account asking, per
    # recipient address, per client address; registrations per client address.
    MAIL_LIMIT_WINDOW = 3600
    MAIL_LIMIT_PER_ACCOUNT = 5
    MAIL_LIMIT_PER_RECIPIENT = 3
    MAIL_LIMIT_PER_CLIENT = 10
    REGISTER_LIMIT_PER_CLIENT = 5
    # Strict-Transport-Security max-age, sent on HTTPS responses only; 0 sends none.
    HSTS_SECONDS = 0
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Number of trusted proxies in front of the app (nginx = 1); 0 trusts no header.
    PROXY_HOPS = 0
    # The proxy's own addresses: X-Forwarded-* from any other peer is ignored (proxy.py).
    # "unix": a peer on gunicorn's unix socket (`--bind unix`), which only nginx's group reaches.
    PROXY_PEERS = "127.0.0.1,::1,unix"
    # The name people see: page titles ("Notes · Project"), the header, the mail sender's
    # name, the API docs' title, the authenticator app's label. `ctl rename` leaves it alone.
    SITE_NAME = "Project"
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"  # or "json"
    REQUIRE_STRONG_SECRET = False
    # Lifetime of a bearer token from POST /api/v1/tokens.
    API_TOKEN_TTL_SECONDS = 7 * 24 * 3600
    # Outgoing mail (project/mail.py, README "Email"). No MAIL_SERVER: each message is written
    # to var/mail/ as an .eml file instead, so a fresh checkout works without a mail server.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS (usually port 587)
    MAIL_USE_SSL = False  # TLS from the first byte (usually port 465)
    # Both verify the server's certificate and name against the system's CAs, or against only
    # this PEM bundle when set (a relay with a private CA).
    MAIL_CA_FILE = ""
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    # A bare address is sent as "SITE_NAME <address>"; "Name <address>" is used as it is.
    MAIL_DEFAULT_SENDER = "noreply@localhost"
    # Seconds to wait for the mail server: a request sending mail never hangs longer.
    MAIL_TIMEOUT = 5
    # The address users reach the site at, e.g. https://example.com: the base of every link
    # in a message, and the only Host a request may name (Flask's TRUSTED_HOSTS). Required:
    # the request's Host is never used, since a client can forge it. `scripts/ctl start` on
    # a loopback bind with no proxy passes its own http://127.0.0.1:PORT.
    PUBLIC_URL = ""
    # More host names to accept requests for (comma-separated), e.g. "www.example.com".
    EXTRA_TRUSTED_HOSTS = ""
    # Lifetime of the links in password-reset and email-confirmation messages (seconds).
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
    # True: an account whose address is not confirmed cannot log in (default: a banner only).
    EMAIL_CONFIRMATION_REQUIRED = False
    # /metrics answers loopback peers; others need `Authorization: Bearer <this>` (empty: none).
    METRICS_TOKEN = ""
    # Error reporting (project/error_reporting.py): off unless a DSN is set.
    SENTRY_DSN = ""
    # Release name in metrics and error reports; empty: the git commit of the checkout.
    RELEASE = ""
    # True: an admin without a second factor reaches only the two-factor setup page.
    REQUIRE_TWO_FACTOR_FOR_ADMINS = False
    # Backups (project/backup/, README "Backups"). Empty BACKUP_DIR means var/backups/.
    BACKUP_DIR = ""
    # Retention: the newest good backup of each of the last N days and of the last M weeks.
    BACKUP_KEEP_DAILY = 7
    BACKUP_KEEP_WEEKLY = 4
    # Run after each good backup with the file's path appended (rclone, s3cmd, rsync...).
    BACKUP_UPLOAD_CMD = ""
    # .eml files in var/mail/ older than this are deleted by a daily job.
    MAIL_KEEP_DAYS = 7
    # Background jobs (project/jobs/, README "Jobs"). Empty: the embedded SQLite queue
    # var/data/jobs.db. redis://host:6379/0 (or postgresql://…, needs psycopg 3) shares one
    # queue between hosts; they must use the same JOBS_QUEUE name.
    JOBS_URL = ""
    JOBS_QUEUE = "project"
    JOBS_WORKERS = 2  # threads in the worker program
    # Whether this host's worker enqueues periodic tasks. Several may: a per-tick claim in the
    # shared store lets one of them enqueue each tick.
    JOBS_SCHEDULER = True
    # Run each task inside the call that enqueues it (no worker): the unit tests' mode.
    JOBS_IMMEDIATE = False


class DevConfig(BaseConfig):
    DEBUG = True
    SECRET_KEY = DEV_SECRET_KEY
    PUBLIC_URL = "http://127.0.0.1:5000"  # `scripts/ctl dev` passes its own host and port
    LOG_LEVEL = "DEBUG"


class TestConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = DEV_SECRET_KEY
    # Cheap hashing so the suite stays fast; never use these numbers outside tests.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    WTF_CSRF_ENABLED = False
    JOBS_IMMEDIATE = True  # tests read var/mail/ right after the request
    PUBLIC_URL = "http://localhost"  # the host Flask's test client sends


class ProdConfig(BaseConfig):
    # Served over plain HTTP (no TLS anywhere in front)? Browsers drop Secure cookies there:
    # set APP_SESSION_COOKIE_SECURE=false and APP_REMEMBER_COOKIE_SECURE=false explicitly.
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 365 * 24 * 3600
    REQUIRE_STRONG_SECRET = True
    REQUIRE_TWO_FACTOR_FOR_ADMINS = True


CONFIGS: dict[str, type[BaseConfig]] = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig}


def config_names() -> str:
    return ", ".join(CONFIGS)


def choose_config_name(
    flag: str | None, environ, saved: str | None = None, default: str = "dev"
) -> str:
    """The config name every verb uses: --config, else APP_CONFIG, else the saved one (what
    `start` deployed), else `default`. An unknown name is a ConfigError listing the valid ones."""
    chosen = flag or environ.get(ENV_PREFIX + "CONFIG") or saved or default
    if chosen not in CONFIGS:
        raise ConfigError(f"unknown config {chosen!r}; choose one of: {config_names()}")
    return chosen


def load_config(name: str | None = None, environ=None) -> dict:
    """Settings of config `name` (else APP_CONFIG, else dev) with `APP_*` overrides, validated.

    `environ` defaults to the process environment: the workers' entry point relies on it."""
    environ = os.environ if environ is None else environ
    config_name = choose_config_name(name, environ)
    cls = CONFIGS[config_name]
    settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    settings.update(env_overrides(settings, environ))
    settings["CONFIG_NAME"] = config_name
    settings["VAR_DIR"] = str(var_dir(environ))
    settings["SECRET_KEY"] = resolve_secret_key(settings, environ)
    settings["DATABASE_URL"] = settings["DATABASE_URL"] or default_database_url(
        environ, config_name
    )
    validate(settings)
    settings["PUBLIC_URL"] = public_url(settings["PUBLIC_URL"], config_name)
    extra_hosts = settings["EXTRA_TRUSTED_HOSTS"]
    settings["TRUSTED_HOSTS"] = trusted_hosts(settings["PUBLIC_URL"], extra_hosts)
    return settings


def env_overrides(settings: dict, environ) -> dict:
    """`APP_<KEY>` values for known keys, converted to the type of the default."""
    overrides = {}
    for key, default in settings.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is not None:
            overrides[key] = convert(key, raw, default)
    return overrides


def convert(key: str, raw: str, default):
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{ENV_PREFIX}{key} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key} must be an integer, not {raw!r}") from None
    return raw


def secret_key_file(environ) -> Path:
    return Layout(PROJECT_ROOT, var_dir(environ)).secret_key


def resolve_secret_key(settings: dict, environ) -> str:
    """`APP_SECRET_KEY`, else the generated `var/secret_key`, else the config's own."""
    if environ.get(ENV_PREFIX + "SECRET_KEY"):
        return environ[ENV_PREFIX + "SECRET_KEY"]
    path = secret_key_file(environ)
    if settings["REQUIRE_STRONG_SECRET"] and path.is_file():
        return path.read_text().strip()
    return settings["SECRET_KEY"]


def validate(settings: dict) -> None:
    if settings["REQUIRE_STRONG_SECRET"]:
        check_secret_key(settings["SECRET_KEY"], settings["CONFIG_NAME"])
    if settings["LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError(f"{ENV_PREFIX}LOG_FORMAT must be text or json")
    check_proxy_peers(settings["PROXY_PEERS"])
    if settings["SENTRY_DSN"]:
        check_sentry_dsn(settings["SENTRY_DSN"])


def check_sentry_dsn(dsn: str) -> None:
    """Fail at `start`, not in every worker at boot (sentry_sdk.init raises on a bad DSN)."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("http", "https") or not parts.username or not parts.hostname:
        raise ConfigError(
            f"{ENV_PREFIX}SENTRY_DSN must look like https://KEY@HOST/PROJECT_ID, not {dsn!r}"
        )
    if not parts.path.strip("/").split("/")[-1].isdigit():
        raise ConfigError(f"{ENV_PREFIX}SENTRY_DSN must end in the project id (a number)")


def check_proxy_peers(peers: str) -> None:
    for item in peers.split(","):
        if item.strip() == "unix":
            continue
        try:
            ipaddress.ip_address(item.strip())
        except ValueError:
            raise ConfigError(
                f"{ENV_PREFIX}PROXY_PEERS must list IP addresses (or unix) separated by commas, "
                f"not {item.strip()!r}"
            ) from None


def check_secret_key(key: str, config_name: str) -> None:
    hint = f"set {ENV_PREFIX}SECRET_KEY or let 'scripts/ctl start' generate var/secret_key"
    if not key:
        raise ConfigError(f"config {config_name!r} needs a secret key: {hint}")
    if key in (DEV_SECRET_KEY, "dev", "secret", "changeme"):
        raise ConfigError(f"config {config_name!r} refuses the development secret key: {hint}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"config {config_name!r} needs a secret key of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters: {hint}"
        )


def public_url(value: str, config_name: str) -> str:
    """The validated PUBLIC_URL without a trailing slash; ConfigError when missing or bad."""
    if not value:
        raise ConfigError(
            f"config {config_name!r} needs {ENV_PREFIX}PUBLIC_URL, the address users reach the "
            "site at (e.g. https://example.com): links in mails are built from it"
        )
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in ("http", "https")
        or not HOST_NAME.fullmatch(parts.hostname or "")
        or not port_ok
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(
            f"{ENV_PREFIX}PUBLIC_URL must be a scheme and a host, like https://example.com, "
            f"not {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def trusted_hosts(url: str, extra: str) -> list[str] | None:
    """Host names a request may name: the public one (with the loopback aliases when it is a
    loopback name) plus `extra`. None (any) for an IPv6 literal, which werkzeug cannot match."""
    host = urlsplit(url).hostname
    if ":" in host:
        return None
    hosts = [host, *(name.strip().lower() for name in extra.split(",") if name.strip())]
    if is_loopback(host):
        hosts += ["localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))


def is_loopback(host: str) -> bool:
    """True for a name or address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# Each config has its own embedded database: `scripts/ctl dev` (debugger, published key) on a
# server must never serve, migrate or change the production accounts.
DATABASE_FILES = {"dev": "dev.db", "test": "test.db", "prod": "app.db"}


def default_database_url(environ, config_name: str = "prod") -> str:
    """The embedded SQLite file of `config_name` (a config added later gets `<name>.db`)."""
    filename = DATABASE_FILES.get(config_name, f"{config_name}.db")
    return f"sqlite:///{Layout(PROJECT_ROOT, var_dir(environ)).data_dir / filename}"
