"""Steady HTTP load from several client threads, counting every response."""

from __future__ import annotations

import http.client
import threading
from collections import Counter


class ClientThreads:
    """`clients` threads each calling `one_request()` until the `with` block ends."""

    def __init__(self, clients: int):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]

    def one_request(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stop.is_set():
            self.one_request()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


class Load(ClientThreads):
    """GET requests, a new connection each (no keep-alive), every outcome recorded."""

    def __init__(self, host: str, port: int, path="/", clients: int = 8):
        """`path` is a string or a callable returning the next path (e.g. unique probes)."""
        super().__init__(clients)
        self.host, self.port, self.path = host, port, path
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.bodies: list[bytes] = []
        self.responses: list[tuple[str, int, str]] = []  # (path, status, request id)

    def one_request(self) -> None:
        path = self.path() if callable(self.path) else self.path
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            with self.lock:
                self.statuses[response.status] += 1
                self.bodies.append(body)
                request_id = response.getheader("X-Request-ID", "")
                self.responses.append((path, response.status, request_id))
        except OSError as exc:
            with self.lock:
                self.errors.append(repr(exc))

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)

    @property
    def failures(self) -> int:
        return len(self.errors) + sum(n for status, n in self.statuses.items() if status != 200)
