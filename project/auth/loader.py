"""How flask-login turns the id stored in the session cookie back into a user."""

from ..extensions import login_manager
from ..models import User


@login_manager.user_loader
def load_user(user_id: str):
    if not user_id.isdigit():
        return None
    return User.get_or_none((User.id == int(user_id)) & (User.active == True))  # noqa: E712
