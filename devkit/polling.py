"""Wait for a condition by polling it: a readiness check instead of a sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import DevkitError


class WaitTimeout(DevkitError):
    """The condition was not met in time (or the wait was abandoned)."""


def wait_until(
    predicate: Callable,
    timeout: float = 20.0,
    interval: float = 0.05,
    *,
    abandon_if: Callable[[], bool] | None = None,
    what: str = "",
):
    """Poll `predicate` until it returns a truthy value, and return that value.

    `abandon_if` ends the wait early (e.g. the process that should bring the server up died).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if abandon_if is not None and abandon_if():
            raise WaitTimeout(f"gave up waiting for {what or predicate}")
        time.sleep(interval)
    raise WaitTimeout(f"condition not met within {timeout}s: {what or predicate}")
