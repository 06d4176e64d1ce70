"""How flask-login turns the token stored in the session or remember cookie into a user."""

from ..extensions import login_manager
from ..models import User
from ..prepared import Prepared

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_token: str):
    """The active user whose current token this is; an old or forged token loads nobody."""
    return BY_SESSION_TOKEN.first(token=session_token)


def user_by_session_token(token):
    return (
        User.select()
        .where((User.session_token == token) & (User.active == True))  # noqa: E712
        .limit(1)
    )


# Run on every logged-in request, so its SQL text is built once (prepared.py).
BY_SESSION_TOKEN = Prepared(user_by_session_token, token=User.session_token)
