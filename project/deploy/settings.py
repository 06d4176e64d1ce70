"""Deploy settings: the flags of `scripts/ctl start`, persisted so later verbs keep them."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..config import PROJECT_ROOT, resolve_name, var_dir

SETTINGS_FILE = "deploy.json"
# Environment passed to the workers: captured from `start`'s own environment.
PASSED_ENV_PREFIX = "APP_"
NOT_PASSED = {"APP_CONFIG", "APP_VAR_DIR"}


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
    timeout: int = 30  # seconds a request may take before gunicorn kills its worker

    # Paths are derived, never persisted: a copied project gets its own.
    @property
    def root(self) -> Path:
        return PROJECT_ROOT

    @property
    def var(self) -> Path:
        return var_dir()

    @property
    def etc(self) -> Path:
        return PROJECT_ROOT / "etc"

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def log_dir(self) -> Path:
        return self.var / "log"

    @property
    def venv_bin(self) -> Path:
        return Path(sys.executable).parent

    @property
    def supervisor_socket(self) -> Path:
        return self.run_dir / "supervisor.sock"

    @property
    def access_log_path(self) -> Path:
        return Path(self.accesslog).resolve() if self.accesslog else self.log_dir / "access.log"

    @property
    def error_log_path(self) -> Path:
        return Path(self.errorlog).resolve() if self.errorlog else self.log_dir / "error.log"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def name(self) -> str:
        """Short identifier for process titles and supervisord: the project folder's name."""
        return self.root.name

    def app_environment(self) -> dict[str, str]:
        """Environment the workers (and ctl's own migrate/check) run with."""
        return {**self.environment, "APP_CONFIG": self.config_name, "APP_VAR_DIR": str(self.var)}

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"


def settings_path() -> Path:
    return var_dir() / SETTINGS_FILE


def load_saved() -> DeploySettings | None:
    path = settings_path()
    if not path.is_file():
        return None
    known = {f.name for f in dataclasses.fields(DeploySettings)}
    data = {k: v for k, v in json.loads(path.read_text()).items() if k in known}
    return DeploySettings(**data)


def save(settings: DeploySettings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # 0600: the passed environment may hold a database password.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(settings.to_json())
    tmp.replace(path)


def captured_environment(environ=None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {
        key: value
        for key, value in environ.items()
        if key.startswith(PASSED_ENV_PREFIX) and key not in NOT_PASSED
    }


def merged(flags: dict, environ=None) -> DeploySettings:
    """Saved settings overridden by APP_* from the environment, then by the given flags.

    The config name comes from --config, else APP_CONFIG, else the saved one, else prod.
    """
    environ = os.environ if environ is None else environ
    base = load_saved() or DeploySettings()
    changes = {key: value for key, value in flags.items() if value is not None}
    chosen = changes.get("config_name") or environ.get("APP_CONFIG") or base.config_name
    changes["config_name"] = resolve_name(chosen)
    env = {**base.environment, **captured_environment(environ)}
    return dataclasses.replace(base, environment=env, **changes)
