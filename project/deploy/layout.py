"""Every path and name the bundle uses, spelled once.

Pid files, sockets, rendered files under etc/, log names, ready markers and the package's
module paths (`project.wsgi:app`, `-m project.cli`) are all derived here, from the project root,
the runtime folder and the package name. A new supervised program adds one `Program` to
PROGRAMS here and its section to the supervisord renderer; nothing else names its files.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

# The package's import name: every module path in a rendered config is built from it, so
# `scripts/ctl rename` changes the folder's name and this follows.
PACKAGE = __name__.split(".")[0]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
PROJECT_ROOT = PACKAGE_DIR.parent
VAR_DIR_VARIABLE = "APP_VAR_DIR"
# Marks every process supervisord starts for this project (in its environment), so a
# `start` after a killed supervisord finds and stops each leftover program, whatever it is.
BUNDLE_MARKER_VARIABLE = "BUNDLE_VAR_DIR"
WSGI_TARGET = f"{PACKAGE}.wsgi:app"
CLI_MODULE = f"{PACKAGE}.cli"
JSON_LOGGER_CLASS = f"{PACKAGE}.deploy.json_access_log.JsonLogger"
TEXT_LOGGER_CLASS = f"{PACKAGE}.deploy.access_log.MaskingLogger"


@dataclass(frozen=True)
class Program:
    """A program supervisord runs: its name and the stdout log it gets."""

    name: str

    @property
    def stdout_log(self) -> str:
        return f"{self.name}.stdout.log"


WEB = Program("web")
WORKER = Program("worker")  # the job queue's consumer (project/jobs/worker.py)
ROTATE_LOGS = Program("rotate-logs")
PROGRAMS = [WEB, WORKER, ROTATE_LOGS]
WORKER_MODULE = f"{PACKAGE}.jobs.worker"

# Log names for `scripts/ctl logs NAME` -> file name under var/log (access/error may be moved
# by flags; see Layout.log_path).
APP_LOG = "app.log"
SUPERVISORD_LOG = "supervisord.log"


def var_dir(environ) -> Path:
    """Runtime state folder: `APP_VAR_DIR` in the given environment, else `<project>/var`."""
    return Path(environ.get(VAR_DIR_VARIABLE) or PROJECT_ROOT / "var").resolve()


@dataclass(frozen=True)
class Layout:
    root: Path
    var: Path

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def log_dir(self) -> Path:
        return self.var / "log"

    @property
    def data_dir(self) -> Path:
        return self.var / "data"

    @property
    def mail_dir(self) -> Path:
        return self.var / "mail"

    @property
    def backup_dir(self) -> Path:
        """Default home of backups (APP_BACKUP_DIR moves them)."""
        return self.var / "backups"

    @property
    def jobs_db(self) -> Path:
        """The job queue's SQLite store; backups include it when it exists."""
        return self.data_dir / "jobs.db"

    @property
    def venv_bin(self) -> Path:
        return Path(sys.executable).parent

    @property
    def package_dir(self) -> Path:
        return self.root / PACKAGE

    @property
    def migrations_dir(self) -> Path:
        """peewee-migrate's files (project/migrate.py names the same folder)."""
        return self.package_dir / "migrations"

    @property
    def static_dir(self) -> Path:
        return self.package_dir / "static"

    @property
    def assets_manifest(self) -> Path:
        return self.static_dir / "gen" / "manifest.json"

    # supervisord and gunicorn
    @property
    def supervisor_socket(self) -> Path:
        return self.run_dir / "supervisor.sock"

    @property
    def socket_dir(self) -> Path:
        """`--bind unix`: outside var/ (0700) so nginx's group can enter it, and nobody else."""
        return self.root / "sock"

    @property
    def web_socket(self) -> Path:
        return self.socket_dir / "web.sock"

    @property
    def supervisord_pid(self) -> Path:
        return self.run_dir / "supervisord.pid"

    @property
    def gunicorn_pid(self) -> Path:
        return self.run_dir / "gunicorn.pid"

    @property
    def ready_dir(self) -> Path:
        """One marker per gunicorn worker that has loaded the app (holds its code fingerprint)."""
        return self.run_dir / "workers"

    @property
    def metrics_dir(self) -> Path:
        """Every worker's metric files (prometheus_client multiprocess mode); wiped by start."""
        return self.run_dir / "metrics"

    @property
    def traffic_samples(self) -> Path:
        """Request counts `scripts/ctl status` saw, to report a rate over about a minute."""
        return self.run_dir / "traffic-samples.json"

    @property
    def served_fingerprint(self) -> Path:
        """What the last start that served ran (deploy/warm_start.py)."""
        return self.run_dir / "served-fingerprint"

    @property
    def master_modules(self) -> Path:
        """The package's modules gunicorn's master holds, written by its hooks."""
        return self.run_dir / "master-modules.json"

    @property
    def candidate_gunicorn_conf(self) -> Path:
        return self.run_dir / "gunicorn.conf.candidate.py"

    @property
    def ctl_lock(self) -> Path:
        return self.run_dir / "ctl.lock"

    @property
    def secret_key(self) -> Path:
        return self.var / "secret_key"

    @property
    def deploy_settings(self) -> Path:
        return self.var / "deploy.json"

    # rendered files
    @property
    def supervisord_conf(self) -> Path:
        return self.etc / "supervisord.conf"

    @property
    def gunicorn_conf(self) -> Path:
        return self.etc / "gunicorn.conf.py"

    @property
    def nginx_example(self) -> Path:
        return self.etc / "nginx.conf.example"

    @property
    def nginx_https_example(self) -> Path:
        return self.etc / "nginx-https.conf.example"

    def systemd_unit(self, unit_name: str, user: bool) -> Path:
        return self.etc / "systemd" / ("user" if user else "") / unit_name

    # logs
    def program_log(self, program: Program) -> Path:
        return self.log_dir / program.stdout_log

    @property
    def app_log(self) -> Path:
        return self.log_dir / APP_LOG

    @property
    def supervisord_log(self) -> Path:
        return self.log_dir / SUPERVISORD_LOG

    def private_dirs(self) -> list[Path]:
        return [self.var, self.run_dir, self.log_dir, self.data_dir, self.mail_dir]


def hashing_slot(layout: Layout, number: int) -> Path:
    """Lock file of one argon2 hashing slot shared by every worker of the site."""
    return layout.run_dir / f"argon2-slot-{number}.lock"
