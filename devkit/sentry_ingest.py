"""A local stand-in for Sentry's ingest endpoint: keeps every envelope it is sent.

Point a DSN at it (`ingest.dsn`); `wait_for_events` and `wait_for_event` return the parsed
events, `raw` the bytes as they arrived (to prove a secret never left the process).
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .polling import wait_until


class Ingest:
    def __init__(self, host: str = "127.0.0.1"):
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, 0), self.handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://publickey@{host}:{port}/1"

    def handler_class(self):
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                with ingest.lock:
                    ingest.raw.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        with self.lock:
            envelopes = list(self.raw)
        return [item for body in envelopes for item in event_items(body)]

    def wait_for_events(self, count: int, timeout: float = 20.0) -> list[dict]:
        def enough():
            found = self.events()
            return found if len(found) >= count else None

        return wait_until(enough, timeout=timeout, what=f"{count} events")

    def wait_for_event(self, matches, timeout: float = 20.0) -> dict:
        """The first event for which `matches(event)` is true, once it has arrived. Events
        arrive one POST each, in the order the SDK sent them: wait for the one a test is
        about, not for a count that other events (a logged error is one) can make up."""
        return wait_until(
            lambda: next((event for event in self.events() if matches(event)), None),
            timeout=timeout,
            what="a matching event",
        )

    def all_bytes(self) -> bytes:
        with self.lock:
            return b"".join(self.raw)


def event_items(envelope: bytes) -> list[dict]:
    """The `event` items of one envelope: a header line, then (item header, payload) pairs."""
    _, _, rest = envelope.partition(b"\n")
    events = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        if header.get("type") == "event":
            events.append(json.loads(payload))
    return events
