"""HTTP GET against the bundle's own listener: TCP host:port, or the unix socket."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

from .settings import DeploySettings


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def connection(settings: DeploySettings, timeout: float) -> http.client.HTTPConnection:
    if settings.unix_socket:
        return UnixHTTPConnection(settings.unix_socket, timeout)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host  # noqa: S104
    return http.client.HTTPConnection(host, settings.port, timeout=timeout)


def get_status(settings: DeploySettings, path: str, timeout: float = 2.0) -> int | None:
    """The status of GET `path`, or None when nothing answers."""
    conn = connection(settings, timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
