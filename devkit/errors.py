"""The one error type of devkit: the system under test misbehaved.

An AssertionError, so pytest reports it as a test failure; `summary` is one line, which the
benchmarks turn into their own one-line error for `scripts/ctl bench`.
"""

from __future__ import annotations


class DevkitError(AssertionError):
    def __init__(self, summary: str, details: str = ""):
        super().__init__(f"{summary}\n{details}" if details else summary)
        self.summary = summary
