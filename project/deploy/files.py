"""The files `gen-config` renders into etc/, and writing them atomically."""

from __future__ import annotations

import os
from pathlib import Path

from .gunicorn import render_gunicorn_conf
from .nginx import render_nginx_conf, render_nginx_https_conf
from .settings import DeploySettings
from .supervisor import render_supervisord_conf
from .systemd import render_systemd_unit, unit_name


def config_files(settings: DeploySettings) -> dict[Path, str]:
    layout = settings.layout
    return {
        layout.supervisord_conf: render_supervisord_conf(settings),
        layout.gunicorn_conf: render_gunicorn_conf(settings),
        layout.nginx_example: render_nginx_conf(settings),
        layout.nginx_https_example: render_nginx_https_conf(settings),
        layout.systemd_unit(unit_name(settings), user=False): render_systemd_unit(settings),
        layout.systemd_unit(unit_name(settings), user=True): render_systemd_unit(settings, True),
    }


def write_files(files: dict[Path, str]) -> None:
    """Write each file atomically, mode 0600 (supervisord.conf may carry a database password)."""
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        tmp.replace(path)


def dry_run_text(files: dict[Path, str]) -> str:
    return "\n".join(f"### {path}\n{text}" for path, text in files.items())
