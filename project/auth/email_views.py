"""Pages behind the links the site mails: forgot password, reset, confirm, send a new link.

A GET never changes anything: mail scanners that open links must not use them up.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import limits
from ..limits import Limited
from ..mail import MailError
from ..models import User
from . import emails, signed_links
from .forms import ForgotPasswordForm, ResetPasswordForm
from .service import AccountError
from .sessions import start_session
from .signed_links import LinkInvalid
from .views import AWAITING_CONFIRMATION, bp, mail_failed_message

NO_STORE = {"Cache-Control": "no-store"}  # pages whose URL holds a token
RESET_SENT = _l(
    "If an account uses that address, we have sent it a link to choose a new password. "
    "Nothing arrived within a few minutes? Check the spam folder, or ask again."
)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            emails.request_password_reset(form.email.data, request.remote_addr)
        except Limited as exc:
            form.form_errors.append(str(exc))
            page = render_template("auth/forgot_password.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        flash(str(RESET_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = signed_links.user_for_reset(token)
    except LinkInvalid as exc:
        return link_failed(exc, retry="auth.forgot_password")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            emails.reset_password(user, form.password.data, request.remote_addr)
        except LinkInvalid as exc:  # used by another request in the meantime
            return link_failed(exc, retry="auth.forgot_password")
        start_session(user, remember=False)
        flash(_("Password changed; you are logged in. Other devices are logged out."), "success")
        return redirect(url_for("account.index"))
    return render_template("auth/reset_password.html", form=form, token=token), NO_STORE


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    try:
        user, address = signed_links.load_confirmation(token)
    except LinkInvalid as exc:
        return link_failed(exc, retry=None)
    page = render_template("auth/confirm_email.html", token=token, address=address, user=user)
    return page, NO_STORE


@bp.post("/confirm/<token>")
def apply_confirmation(token: str):
    try:
        user = emails.confirm_email(token)
    except (LinkInvalid, AccountError) as exc:
        return link_failed(exc, retry=None)
    session.pop(AWAITING_CONFIRMATION, None)
    flash(_("Thank you: %(address)s is confirmed.", address=user.email), "success")
    return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))


def link_failed(exc: Exception, retry: str | None):
    """Why the link did not work, and where to get a new one."""
    page = render_template("auth/link_failed.html", reason=str(exc), retry=retry)
    return page, 400, NO_STORE


@bp.post("/confirm/resend")
def resend_confirmation():
    user = awaiting_confirmation()
    if user is None:
        flash(_("Log in to ask for a new confirmation link."), "info")
        return redirect(url_for("auth.login"))
    back = url_for("account.index" if current_user.is_authenticated else "auth.login")
    if user.email_confirmed_at is not None:
        flash(_("Your address is confirmed already."), "info")
        return redirect(back)
    try:
        limits.take_mail(user.email, request.remote_addr, account=user.id)
        emails.send_confirmation(user)
    except Limited as exc:
        flash(str(exc), "error")
    except MailError:
        flash(mail_failed_message(), "error")
    else:
        flash(_("We sent a new confirmation link to %(address)s.", address=user.email), "success")
    return redirect(back)


def awaiting_confirmation() -> User | None:
    """The logged-in user, else the one who just gave the right password but must confirm."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    user_id = session.get(AWAITING_CONFIRMATION)
    return User.get_or_none(User.id == user_id) if user_id is not None else None
