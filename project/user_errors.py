"""Errors a user can cause: `scripts/ctl` prints their message as one line and exits 1.

Not HTTP errors (those are project/http_errors.py): these are for the CLI and for services
whose callers turn them into a form message, a page or a JSON error."""


class UserError(Exception):
    """Something the user can fix; the message says what, in one line."""
