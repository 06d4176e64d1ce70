"""The benchmark's one error type."""

from project.user_errors import UserError


class BenchError(UserError):
    """The benchmark cannot run or a server misbehaved; one line says why."""
