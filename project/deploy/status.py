"""`scripts/ctl status`: every program's state, PID and uptime, the URL and the health check."""

from __future__ import annotations

from . import rpc
from .control import health_ok, is_running
from .settings import DeploySettings, describe_environment


def status(settings: DeploySettings) -> tuple[str, bool]:
    """(report text, healthy): healthy only if every program is RUNNING and /healthz is 200."""
    if not is_running(settings):
        return (
            f"not running (supervisord socket {settings.supervisor_socket} does not answer)",
            False,
        )
    infos = rpc.process_infos(settings.supervisor_socket)
    lines = [f"{info['name']:<12} {info['statename']:<9} {info['description']}" for info in infos]
    healthy = health_ok(settings)
    lines.append(f"url          {settings.url}  /healthz {'200 OK' if healthy else 'FAILING'}")
    lines.append(f"environment  {describe_environment(settings.environment)}")
    all_running = all(info["statename"] == "RUNNING" for info in infos)
    return "\n".join(lines), all_running and healthy
