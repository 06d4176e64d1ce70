"""`scripts/ctl status`: every program's state, PID and uptime, the URL, the health check,
the request rate and 5xx count over about the last minute (from the metrics files) and the job
queue (queued, scheduled, failed, running; the scheduler's last tick)."""

from __future__ import annotations

import struct

from ..user_errors import UserError
from . import metrics_files, rpc
from .control import health_ok, is_running
from .settings import DeploySettings, describe_environment


def status(settings: DeploySettings) -> tuple[str, bool]:
    """(report text, healthy): healthy only if every program is RUNNING, /healthz is 200 and
    the job store answers."""
    if not is_running(settings):
        return (
            f"not running (supervisord socket {settings.supervisor_socket} does not answer)\n"
            + backup_line(settings),
            False,
        )
    infos = rpc.process_infos(settings.supervisor_socket)
    lines = [f"{info['name']:<12} {info['statename']:<9} {info['description']}" for info in infos]
    healthy = health_ok(settings)
    lines.append(f"url          {settings.url}  /healthz {'200 OK' if healthy else 'FAILING'}")
    lines.append(f"environment  {describe_environment(settings.environment)}")
    lines.append(f"traffic      {traffic_line(settings)}")
    lines.append(backup_line(settings))
    queue_text, queue_ok = queue_status(settings)
    lines.append(f"queue        {queue_text}")
    all_running = all(info["statename"] == "RUNNING" for info in infos)
    return "\n".join(lines), all_running and healthy and queue_ok


def traffic_line(settings: DeploySettings) -> str:
    try:
        return metrics_files.traffic(settings)
    # A worker booting right now may have created its file but not sized it yet.
    except (OSError, ValueError, struct.error) as exc:
        return f"metrics unreadable right now ({exc}); run status again"


def backup_line(settings: DeploySettings) -> str:
    """The age of the newest good backup (informational: it does not change the exit code)."""
    from ..backup.site import site_config, status_line
    from ..config import ConfigError

    try:
        return status_line(site_config(settings))
    except ConfigError as exc:
        return f"backup       unknown: {exc}"


def queue_status(settings: DeploySettings) -> tuple[str, bool]:
    from ..jobs import admin

    try:
        store = connect_queue(settings)
        return f"{admin.counts().summary(admin.utc_now())} ({store})", True
    except (*admin.STORE_ERRORS, UserError) as exc:  # a store down, or a setting it refuses
        return f"UNAVAILABLE: {type(exc).__name__}: {exc}", False


def connect_queue(settings: DeploySettings) -> str:
    """Point project.jobs at the bundle's job store (as its programs see it); its description."""
    from ..jobs import admin  # the queue's code only when asked for
    from .preflight import app_config

    return admin.connect(app_config(settings))
