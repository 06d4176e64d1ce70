"""Role checks for views: anonymous visitors are sent to log in; others lacking the role get 403."""

from __future__ import annotations

from functools import wraps

from flask import render_template
from flask_login import current_user, login_required


def role_required(role: str):
    """Decorator: the view runs only for a logged-in user whose role is `role`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != role:
                return forbidden()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def forbidden():
    return render_template(
        "errors/error.html",
        status=403,
        title="Forbidden",
        message="Your account may not open this page.",
    ), 403
