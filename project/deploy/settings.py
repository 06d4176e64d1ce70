"""Deploy settings: the flags of `scripts/ctl start`, persisted so later verbs keep them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import choose_config_name, is_loopback
from .errors import DeployError
from .layout import BUNDLE_MARKER_VARIABLE, PROJECT_ROOT, VAR_DIR_VARIABLE, Layout, var_dir

# Environment passed to the workers: captured from `start`'s own environment.
PASSED_ENV_PREFIX = "APP_"
NOT_PASSED = {"APP_CONFIG", VAR_DIR_VARIABLE}
NOT_SAVED = {"var_dir"}
# What supervisord's environment= line can carry: a newline would end the line and start a new
# section of supervisord.conf (F-20).
VALID_NAME = re.compile(r"^APP_[A-Z0-9_]+$")
BINDS = ("tcp", "unix")
# Saved values shown as *** by status and check.
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY", "TOKEN", "DATABASE_URL", "DSN")


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class DeploySettings:
    config_name: str = "prod"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=default_workers)
    accesslog: str = ""  # empty: var/log/access.log
    errorlog: str = ""  # empty: var/log/error.log
    environment: dict = field(default_factory=dict)
    keep_days: float = 14  # rotated logs older than this are deleted
    rotate_every: float = 0  # 0: rotate at local midnight; seconds otherwise (tests)
    # "tcp": host:port (loopback by default). "unix": a socket in <project>/sock/, a folder only
    # this user and socket_group (nginx's) can enter, so no other local user can squat it.
    bind: str = "tcp"
    socket_group: str = ""  # empty: www-data when it exists, else this user's primary group
    log_group: str = ""  # set: this group may read the logs (0640), nothing else in var/
    timeout: int = 30  # seconds a request may take before gunicorn kills its worker

    # Derived from the environment `merged` is given, never persisted: a copied project gets
    # its own. Empty: `<project>/var`.
    var_dir: str = field(default="", compare=False)

    @property
    def layout(self) -> Layout:
        return Layout(PROJECT_ROOT, Path(self.var_dir).resolve() if self.var_dir else var_dir({}))

    # Shorthands for the paths the verbs use most; every path is spelled in layout.py.
    @property
    def root(self) -> Path:
        return self.layout.root

    @property
    def var(self) -> Path:
        return self.layout.var

    @property
    def etc(self) -> Path:
        return self.layout.etc

    @property
    def run_dir(self) -> Path:
        return self.layout.run_dir

    @property
    def log_dir(self) -> Path:
        return self.layout.log_dir

    @property
    def venv_bin(self) -> Path:
        return self.layout.venv_bin

    @property
    def supervisor_socket(self) -> Path:
        return self.layout.supervisor_socket

    @property
    def access_log_path(self) -> Path:
        return Path(self.accesslog).resolve() if self.accesslog else self.log_dir / "access.log"

    @property
    def error_log_path(self) -> Path:
        return Path(self.errorlog).resolve() if self.errorlog else self.log_dir / "error.log"

    @property
    def unix_socket(self) -> Path | None:
        """The socket gunicorn listens on with `--bind unix`, else None (TCP)."""
        return self.layout.web_socket if self.bind == "unix" else None

    @property
    def url(self) -> str:
        if self.unix_socket:
            return f"http://unix:{self.unix_socket}:"
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def name(self) -> str:
        """Short identifier for process titles and supervisord: the project folder's name."""
        return self.root.name

    @property
    def proxy_hops(self) -> int:
        """APP_PROXY_HOPS as the workers will read it (a bad value is the config's to report)."""
        try:
            return int(self.environment.get("APP_PROXY_HOPS") or 0)
        except ValueError:
            return 0

    @property
    def reachable_from_outside(self) -> bool:
        """Bound beyond loopback, or behind a proxy: users then come by some other name."""
        return not is_loopback(self.host) or self.proxy_hops >= 1

    @property
    def public_url(self) -> str:
        """APP_PUBLIC_URL; else, for a loopback-only bundle, the URL it binds; else ""."""
        given = self.environment.get("APP_PUBLIC_URL", "")
        if given or self.reachable_from_outside:
            return given
        return self.url

    def app_environment(self) -> dict[str, str]:
        """Environment the workers (and ctl's own migrate/check children) run with."""
        env = {
            **self.environment,
            "APP_CONFIG": self.config_name,
            VAR_DIR_VARIABLE: str(self.var),
            BUNDLE_MARKER_VARIABLE: str(self.var),
        }
        if self.public_url:  # a loopback bundle's default (see public_url)
            env["APP_PUBLIC_URL"] = self.public_url
        return env

    def to_json(self) -> str:
        data = {k: v for k, v in dataclasses.asdict(self).items() if k not in NOT_SAVED}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def load_saved(environ) -> DeploySettings | None:
    """The settings `start` saved in the runtime folder named by `environ`, if any."""
    folder = var_dir(environ)
    path = Layout(PROJECT_ROOT, folder).deploy_settings
    if not path.is_file():
        return None
    known = {f.name for f in dataclasses.fields(DeploySettings)} - NOT_SAVED
    data = {k: v for k, v in json.loads(path.read_text()).items() if k in known}
    return DeploySettings(**data, var_dir=str(folder))


def save(settings: DeploySettings) -> None:
    path = settings.layout.deploy_settings
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # 0600: the passed environment may hold a database password.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(settings.to_json())
    tmp.replace(path)


def captured_environment(environ) -> dict[str, str]:
    return {
        key: value
        for key, value in environ.items()
        if key.startswith(PASSED_ENV_PREFIX) and key not in NOT_PASSED
    }


def merged(flags: dict, environ, unset_env=()) -> DeploySettings:
    """Saved settings overridden by APP_* from `environ`, then by the given flags; the names in
    `unset_env` are dropped from the saved environment (and not taken from this one).

    The config name comes from --config, else APP_CONFIG, else the saved one, else prod.
    """
    saved = load_saved(environ)
    base = saved or DeploySettings(var_dir=str(var_dir(environ)))
    changes = {key: value for key, value in flags.items() if value is not None}
    changes["config_name"] = choose_config_name(
        changes.get("config_name"), environ, saved.config_name if saved else None, "prod"
    )
    env = {**base.environment, **captured_environment(environ)}
    for name in unset_env:
        if name not in env:
            raise DeployError(f"--unset-env {name}: no such saved variable ({saved_names(env)})")
        del env[name]
    check_environment(env)
    return dataclasses.replace(base, environment=env, **changes)


def saved_names(env: dict) -> str:
    return "saved: " + (", ".join(sorted(env)) or "none")


def check_environment(env: dict) -> None:
    """Each APP_* name and value must survive supervisord's environment= line."""
    for name, value in sorted(env.items()):
        if not VALID_NAME.match(name):
            raise DeployError(f"environment variable {name!r}: names must match APP_[A-Z0-9_]+")
        if any(char in value for char in "\r\n\0"):
            raise DeployError(
                f"{name}: the value contains a line break (or NUL), which supervisord.conf "
                "cannot carry; set it without one"
            )


def describe_environment(env: dict) -> str:
    """NAME=value, ... with secrets shown as ***; "none" when empty."""
    shown = [
        f"{name}=***" if any(word in name for word in SECRET_WORDS) else f"{name}={value}"
        for name, value in sorted(env.items())
    ]
    return ", ".join(shown) or "none"
