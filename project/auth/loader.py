"""How flask-login turns the token stored in the session or remember cookie into a user."""

from ..extensions import login_manager
from ..models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_token: str):
    """The active user whose current token this is; an old or forged token loads nobody."""
    return User.get_or_none(
        (User.session_token == session_token) & (User.active == True)  # noqa: E712
    )
