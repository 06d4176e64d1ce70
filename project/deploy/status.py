"""`scripts/ctl status`: every program's state, PID and uptime, the URL and the health check."""

from __future__ import annotations

from . import rpc
from .control import health_ok, is_running
from .settings import DeploySettings


def status(settings: DeploySettings) -> tuple[str, bool]:
    """(report text, healthy): healthy only if every program is RUNNING and /healthz is 200."""
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
    lines.append(backup_line(settings))
    all_running = all(info["statename"] == "RUNNING" for info in infos)
    return "\n".join(lines), all_running and healthy


def backup_line(settings: DeploySettings) -> str:
    """The age of the newest good backup (informational: it does not change the exit code)."""
    from ..backup.site import site_config, status_line
    from ..config import ConfigError

    try:
        return status_line(site_config(settings))
    except ConfigError as exc:
        return f"backup       unknown: {exc}"
