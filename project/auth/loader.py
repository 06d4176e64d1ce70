"""How flask-login turns the secret stored in the session or remember cookie into a user."""

from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from . import sessions

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see that page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(secret: str):
    """The active user of the live login session this secret names; else nobody."""
    return sessions.load_user(secret)
