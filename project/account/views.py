"""Pages for a logged-in user: their account and its settings (password change)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import service
from ..auth.forms import PasswordChangeForm
from ..auth.service import AccountError, Throttled
from ..auth.sessions import has_remember_cookie, start_session

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def index():
    return render_template("account/index.html")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        return change_password(form)
    return render_template("account/settings.html", form=form)


def change_password(form: PasswordChangeForm):
    user = current_user._get_current_object()
    current, new = form.current_password.data, form.new_password.data
    try:
        service.change_password(user, current, new, request.remote_addr)
    except Throttled as exc:
        form.form_errors.append(f"Too many failed attempts. Try again in {exc.retry_after} s.")
        page = render_template("account/settings.html", form=form)
        return page, 429, {"Retry-After": str(exc.retry_after)}
    except AccountError as exc:
        form.current_password.errors.append(str(exc).capitalize() + ".")
        return render_template("account/settings.html", form=form)
    # The new token ended every other session; this one continues on it.
    start_session(user, remember=has_remember_cookie())
    flash("Password changed. Other devices have been logged out.", "success")
    return redirect(url_for("account.settings"))
