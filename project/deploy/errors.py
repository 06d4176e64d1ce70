"""The one error type of the deploy verbs."""

from ..user_errors import UserError


class DeployError(UserError):
    """A deploy step failed; the message says what and what to do."""
