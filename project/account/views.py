"""Pages for a logged-in user: their account and its settings (password change)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth import service
from ..auth.forms import PasswordChangeForm
from ..auth.service import AccountError
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
        user = current_user._get_current_object()
        try:
            service.change_password(user, form.current_password.data, form.new_password.data)
        except AccountError as exc:
            form.current_password.errors.append(str(exc).capitalize() + ".")
        else:
            # The new token ended every other session; this one continues on it.
            start_session(user, remember=has_remember_cookie())
            flash("Password changed. Other devices have been logged out.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/settings.html", form=form)
