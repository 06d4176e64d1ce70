"""Pages for a logged-in user: their account and its settings (password, email address)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import i18n
from ..api import bearer_tokens
from ..auth import emails, service, sessions
from ..auth.forms import EmailChangeForm, PasswordChangeForm
from ..auth.service import AccountError, Throttled, WrongPassword
from ..auth.sessions import has_remember_cookie, start_session
from ..auth.views import mail_failed_message
from ..limits import Limited, wait_phrase
from ..mail import MailError

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("")
@login_required
def index():
    return render_template("account/index.html")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Both forms post here (the email one marked form=email): a reload after an error
    shows the page again instead of a 405 from a POST-only address."""
    if request.method == "POST" and request.form.get("form") == "email":
        return change_email()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        return change_password(form)
    return settings_page(form=form)


def settings_page(status: int = 200, **forms):
    """The settings page with its two forms (fresh ones where none is given)."""
    forms.setdefault("form", PasswordChangeForm(formdata=None))
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    listed = sessions.sessions_of(current_user)
    here = sessions.current_row()
    api_tokens = bearer_tokens.live_tokens(current_user)
    page = render_template(
        "account/settings.html",
        sessions=listed,
        current_id=here.id if here else None,
        api_tokens=api_tokens,
        **forms,
    )
    return page, status


def change_password(form: PasswordChangeForm):
    user = current_user._get_current_object()
    current, new = form.current_password.data, form.new_password.data
    try:
        service.change_password(user, current, new, request.remote_addr)
    except Throttled as exc:
        form.form_errors.append(str(exc))
        return throttled_page(exc, form=form)
    except AccountError as exc:
        form.current_password.errors.append(i18n.sentence(exc))
        return settings_page(form=form)
    # The new token ended every other session; this one continues on it.
    start_session(user, remember=has_remember_cookie())
    flash(_("Password changed. Other devices have been logged out."), "success")
    return redirect(url_for("account.settings"))


def throttled_page(exc: Throttled | Limited, **forms):
    page, status = settings_page(429, **forms)
    return page, status, {"Retry-After": str(exc.retry_after)}


def change_email():
    """Mail a link to the new address; the address changes only once it is followed."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return settings_page(email_form=form)
    user = current_user._get_current_object()
    try:
        address = emails.request_email_change(
            user, form.new_email.data, form.password.data, request.remote_addr
        )
    except Throttled as exc:
        form.form_errors.append(str(exc))
        return throttled_page(exc, email_form=form)
    except Limited as exc:
        form.form_errors.append(
            _("Too many address changes. Try again in %(wait)s.", wait=wait_phrase(exc.retry_after))
        )
        return throttled_page(exc, email_form=form)
    except AccountError as exc:
        field = form.password if isinstance(exc, WrongPassword) else form.new_email
        field.errors.append(i18n.sentence(exc))
        return settings_page(email_form=form)
    except MailError:
        flash(mail_failed_message() + " " + _("Your address is unchanged."), "error")
        return redirect(url_for("account.settings"))
    flash(
        _(
            "We sent a link to %(address)s: your address changes once you follow it.",
            address=address,
        ),
        "success",
    )
    return redirect(url_for("account.settings"))


@bp.post("/sessions/<int(max=2147483647):session_id>/end")
@login_required
def end_session(session_id: int):
    """End one of the user's sessions (another device, or this one)."""
    here = sessions.current_row()
    if here is not None and here.id == session_id:
        sessions.end_session()
        flash(_("You are logged out."), "info")
        return redirect(url_for("auth.login"))
    if not sessions.end_one(current_user, session_id):
        flash(_("That session has ended already."), "info")
    else:
        flash(_("That session is logged out."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out every other device; this session goes on."""
    ended = sessions.end_others(current_user, sessions.current_row())
    flash(
        ngettext("Logged out %(num)d other session.", "Logged out %(num)d other sessions.", ended),
        "success",
    )
    return redirect(url_for("account.settings"))
