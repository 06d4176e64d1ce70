"""JSON API clients for the write-safety tests: one request helper and note-writing threads."""

from __future__ import annotations

import http.client
import itertools
import json

from .load import ClientThreads


def api(port: int, method: str, path: str, body=None, token: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None


class Writers(ClientThreads):
    """Threads creating notes with unique titles, recording the outcome of every request."""

    def __init__(self, port: int, token: str, clients: int = 6):
        super().__init__(clients)
        self.port, self.token = port, token
        self.numbers = itertools.count()
        self.created: list[str] = []
        self.other: list[tuple[str, object]] = []

    def one_request(self) -> None:
        title = f"note-{next(self.numbers)}"
        try:
            status, _ = api(self.port, "POST", "/api/v1/notes", {"title": title}, self.token)
            outcome = status
        except OSError as exc:
            outcome = repr(exc)
        with self.lock:
            self.created.append(title) if outcome == 201 else self.other.append((title, outcome))
