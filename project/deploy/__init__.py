"""The production bundle: rendered configs for supervisord, gunicorn and nginx, and the
functions behind `scripts/ctl start|stop|reload|restart|status|check|gen-config`."""

from ..user_errors import UserError


class DeployError(UserError):
    """A deploy step failed; the message says what and what to do."""
