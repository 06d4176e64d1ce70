"""Administration (role `admin`): list users, disable or enable one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import service
from ..auth.roles import role_required
from ..models import MAX_ID, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
MAX_PAGE = MAX_ID // PAGE_SIZE  # beyond it the page could hold no user


@bp.get("/users")
@role_required("admin")
def users():
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        abort(404)  # no such page; a huge number would overflow the database's OFFSET
    page = max(page, 1)
    rows = User.select().order_by(User.id).paginate(page, PAGE_SIZE)
    more = User.select().count() > page * PAGE_SIZE
    return render_template("admin/users.html", users=rows, page=page, more=more)


@bp.post("/users/<id:user_id>/disable")
@role_required("admin")
def disable(user_id: int):
    return set_active(user_id, False)


@bp.post("/users/<id:user_id>/enable")
@role_required("admin")
def enable(user_id: int):
    return set_active(user_id, True)


def set_active(user_id: int, active: bool):
    user = User.get_or_none(User.id == user_id) or abort(404)
    if user.id == current_user.id:
        # An admin disabling themselves could leave nobody able to undo it.
        flash(_("You cannot disable your own account."), "error")
    else:
        service.set_active(user, active)
        done = _("%(address)s is now enabled.") if active else _("%(address)s is now disabled.")
        flash(done % {"address": user.email}, "success")
    return redirect(url_for("admin.users"))
