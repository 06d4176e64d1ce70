"""Errors a user can cause: `scripts/ctl` prints their message as one line and exits 1."""


class UserError(Exception):
    """Something the user can fix; the message says what, in one line."""
