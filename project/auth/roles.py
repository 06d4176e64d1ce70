"""Role checks for views: anonymous visitors are sent to log in; others lacking the role get 403."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required


def role_required(role: str):
    """Decorator: the view runs only for a logged-in user whose role is `role`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != role:
                abort(403, _("This page is only for %(role)s accounts.", role=role))
            return view(*args, **kwargs)

        return wrapped

    return decorator
