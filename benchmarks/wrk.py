"""Drive one URL with wrk and read its numbers back through a small Lua reporter.

Keep-alive is off on every run (`Connection: close`): gunicorn's sync workers close the
connection after each response anyway, so each request pays for its own TCP connect, for the
bundle and the bare reference alike.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BenchError

MARKER = "BENCH-RESULT "
# Per-thread status counts gathered in done(); latency percentiles in microseconds.
REPORTER = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do counts[code] = (counts[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class Request:
    method: str = "GET"
    path: str = ""  # empty: the route's own path
    headers: dict = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    statuses: dict  # {status: count}

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def errors(self, ok_statuses: frozenset | None = None) -> int:
        """Socket errors plus responses outside `ok_statuses` (default: any 2xx or 3xx)."""
        bad = sum(
            count
            for status, count in self.statuses.items()
            if not (status in ok_statuses if ok_statuses else 200 <= status < 400)
        )
        return bad + self.socket_errors

    def as_dict(self, ok_statuses: frozenset | None = None) -> dict:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "errors": self.errors(ok_statuses),
            "socket_errors": self.socket_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk not found: install it (Debian/Ubuntu: apt-get install wrk)")
    return found


def lua_string(text: str) -> str:
    if not text.isascii():
        raise BenchError("request headers and bodies must be ASCII for the wrk script")
    return json.dumps(text)  # ASCII JSON escapes (\" \\ \n) are valid Lua escapes


def script_text(request: Request) -> str:
    lines = [f"wrk.method = {lua_string(request.method)}"]
    if request.body:
        lines.append(f"wrk.body = {lua_string(request.body)}")
    headers = {**request.headers, "Connection": "close"}
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n" + REPORTER


def command(url: str, seconds: int, connections: int, script: Path) -> list[str]:
    threads = max(1, min(2, connections))
    return [
        wrk_binary(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={script}",
        url,
    ]


def run(url: str, seconds: int, connections: int, request: Request | None = None) -> WrkResult:
    """Load `url` for `seconds` with `connections` concurrent clients."""
    with Running(url, seconds, connections, request) as running:
        pass
    return running.result


class Running:
    """wrk in the background: `with Running(...)` waits for it; `.interrupt()` ends it early."""

    def __init__(self, url, seconds: int, connections: int, request: Request | None = None):
        self._dir = tempfile.TemporaryDirectory(prefix="bench-wrk-")
        script = Path(self._dir.name) / "request.lua"
        script.write_text(script_text(request or Request()))
        self._process = subprocess.Popen(
            command(url, seconds, connections, script),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.result: WrkResult | None = None

    def interrupt(self) -> None:
        """Stop now; wrk still reports what it measured so far."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            self.interrupt()
        try:
            stdout, stderr = self._process.communicate(timeout=None if exc[0] is None else 30)
        finally:
            if self._process.poll() is None:
                self._process.kill()
            self._dir.cleanup()
        if exc[0] is None:
            self.result = parse(stdout, stderr)


def parse(stdout: str, stderr: str) -> WrkResult:
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                max_ms=data["max_us"] / 1000,
                socket_errors=data["socket_errors"],
                statuses={int(k): v for k, v in data["statuses"].items()},
            )
    raise BenchError(f"wrk gave no result: {(stderr or stdout).strip()[-300:]}")
