"""Steady HTTP load from several client threads, counting every response."""

from __future__ import annotations

import http.client
import threading
from collections import Counter


class Load:
    """`clients` threads, each with its own keep-alive-free connection per request."""

    def __init__(self, host: str, port: int, path="/", clients: int = 8):
        """`path` is a string or a callable returning the next path (e.g. unique probes)."""
        self.host, self.port, self.path, self.clients = host, port, path, clients
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.bodies: list[bytes] = []
        self.responses: list[tuple[str, int, str]] = []  # (path, status, request id)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            path = self.path() if callable(self.path) else self.path
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                connection.close()
                with self._lock:
                    self.statuses[response.status] += 1
                    self.bodies.append(body)
                    request_id = response.getheader("X-Request-ID", "")
                    self.responses.append((path, response.status, request_id))
            except OSError as exc:
                with self._lock:
                    self.errors.append(repr(exc))

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)

    @property
    def failures(self) -> int:
        return len(self.errors) + sum(n for status, n in self.statuses.items() if status != 200)
