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
from pathlib import Path

from .deploy.layout import PROJECT_ROOT, Layout, var_dir
from .user_errors import UserError

__all__ = ["PROJECT_ROOT", "ConfigError", "choose_config_name", "load_config", "var_dir"]

ENV_PREFIX = "APP_"
# Only the dev and test configs may use this key; prod refuses it.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 32


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
    # Failed logins allowed per account and per client address within the window
    # (seconds); over either limit a login is refused before any hashing (auth/throttle.py).
    LOGIN_THROTTLE_WINDOW = 900
    LOGIN_THROTTLE_PER_ACCOUNT = 10
    LOGIN_THROTTLE_PER_ADDRESS = 30
    # Strict-Transport-Security max-age, sent on HTTPS responses only; 0 sends none.
    HSTS_SECONDS = 0
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Number of trusted proxies in front of the app (nginx = 1); 0 trusts no header.
    PROXY_HOPS = 0
    # The proxy's own addresses: X-Forwarded-* from any other peer is ignored (proxy.py).
    PROXY_PEERS = "127.0.0.1,::1"
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
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "Project <noreply@localhost>"
    # Seconds to wait for the mail server: a request sending mail never hangs longer.
    MAIL_TIMEOUT = 5
    # Base of the links in messages, e.g. https://example.com. Set it in production: empty
    # means the request's Host header, which a client can forge.
    PUBLIC_URL = ""
    # Lifetime of the links in password-reset and email-confirmation messages (seconds).
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
    # True: an account whose address is not confirmed cannot log in (default: a banner only).
    EMAIL_CONFIRMATION_REQUIRED = False
    # True: an admin without a second factor reaches only the two-factor setup page.
    REQUIRE_TWO_FACTOR_FOR_ADMINS = False
    # Backups (project/backup/, README "Backups"). Empty BACKUP_DIR means var/backups/.
    BACKUP_DIR = ""
    # Retention: the newest good backup of each of the last N days and of the last M weeks.
    BACKUP_KEEP_DAILY = 7
    BACKUP_KEEP_WEEKLY = 4
    # Run after each good backup with the file's path appended (rclone, s3cmd, rsync...).
    BACKUP_UPLOAD_CMD = ""


class DevConfig(BaseConfig):
    DEBUG = True
    SECRET_KEY = DEV_SECRET_KEY
    LOG_LEVEL = "DEBUG"


class TestConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = DEV_SECRET_KEY
    # Cheap hashing so the suite stays fast; never use these numbers outside tests.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    WTF_CSRF_ENABLED = False


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
    settings["DATABASE_URL"] = settings["DATABASE_URL"] or default_database_url(environ)
    validate(settings)
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


def check_proxy_peers(peers: str) -> None:
    for item in peers.split(","):
        try:
            ipaddress.ip_address(item.strip())
        except ValueError:
            raise ConfigError(
                f"{ENV_PREFIX}PROXY_PEERS must list IP addresses separated by commas, "
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


def default_database_url(environ) -> str:
    return f"sqlite:///{Layout(PROJECT_ROOT, var_dir(environ)).data_dir / 'app.db'}"
