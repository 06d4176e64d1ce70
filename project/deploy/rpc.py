"""supervisord's XML-RPC interface over the project's unix socket."""

from __future__ import annotations

import xmlrpc.client
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport


def client(socket_path: Path) -> xmlrpc.client.ServerProxy:
    transport = SupervisorTransport(None, None, f"unix://{socket_path}")
    # The host in this URL is ignored: the transport talks to the unix socket.
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def supervisord_answers(socket_path: Path) -> bool:
    """True when a supervisord is listening on the socket and says it is running."""
    if not socket_path.exists():
        return False
    try:
        return client(socket_path).supervisor.getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


def process_infos(socket_path: Path) -> list[dict]:
    return client(socket_path).supervisor.getAllProcessInfo()


def process_info(socket_path: Path, name: str) -> dict:
    return client(socket_path).supervisor.getProcessInfo(name)
