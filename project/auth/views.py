"""Accounts: register, log in, log out (POST only), log out everywhere (mail links: email_views)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..mail import MailError
from . import emails, service
from .forms import LoginForm, RegisterForm
from .redirects import safe_next
from .service import AccountError, InvalidCredentials, Throttled
from .sessions import end_session, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Session key naming the user who gave the right password but must confirm first.
AWAITING_CONFIRMATION = "awaiting_confirmation"
RESEND_HINT = " “Send a new link” tries again (shown once you log in)."


def mail_failed_message(what: str) -> str:
    return f"We could not send {what}: the mail server did not answer. Please try again later."


def landing() -> str:
    """Where to go after logging in: a safe `next`, else the account page."""
    return safe_next(request.args.get("next")) or url_for("account.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:  # as login does: a second account would switch sessions
        return redirect(landing())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.password.data)
        except AccountError:  # the form checked everything else: the address is taken
            form.email.errors.append("An account with this email already exists; log in instead.")
        else:
            return registered(user)
    return render_template("auth/register.html", form=form)


def registered(user):
    """Mail the confirmation link, then log in unless confirmation must come first.

    A mail server that is down does not undo the account: the user can ask for a new link.
    One message says both (the account exists, where the link went), not two or three.
    """
    message, category = send_confirmation_note(user)
    if emails.must_confirm_first(user):
        flash(f"Your account is ready. {message} Confirm your address, then log in.", category)
        return redirect(url_for("auth.login"))
    start_session(user, remember=False)  # clears the session: flash after it
    flash(f"Welcome! Your account is ready. {message}", category)
    return redirect(url_for("account.index"))


def send_confirmation_note(user) -> tuple[str, str]:
    """Send the confirmation link; the sentence saying whether it went, and the flash kind."""
    try:
        emails.send_confirmation(user)
    except MailError:
        return mail_failed_message("the confirmation link") + RESEND_HINT, "warning"
    return f"We sent a link to {user.email} to confirm the address.", "success"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data, request.remote_addr)
        except Throttled as exc:
            return throttled(form, exc)
        except InvalidCredentials as exc:
            form.form_errors.append(str(exc).capitalize() + ".")
        else:
            if emails.must_confirm_first(user):
                return unconfirmed(form, user)
            if second_factor_enabled(user):  # the password alone never yields a session
                return second_step(user, form.remember.data)
            start_session(user, remember=form.remember.data)
            return redirect(landing())
    return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next")))


def second_factor_enabled(user) -> bool:
    from ..twofactor.service import is_enabled  # imported late: twofactor imports auth

    return is_enabled(user)


def second_step(user, remember: bool):
    from ..twofactor import begin_second_step

    return begin_second_step(user, remember, safe_next(request.args.get("next")))


def unconfirmed(form: LoginForm, user):
    """Right password, address not confirmed yet: offer a new link instead of a session."""
    session[AWAITING_CONFIRMATION] = user.id
    form.form_errors.append("Confirm your email address first: follow the link we sent you.")
    page = render_template("auth/login.html", form=form, next=None, resend=True)
    return page, 403


def throttled(form: LoginForm, exc: Throttled):
    form.form_errors.append(str(exc))
    page = render_template("auth/login.html", form=form, next=safe_next(request.args.get("next")))
    return page, 429, {"Retry-After": str(exc.retry_after)}


@bp.post("/logout")
def logout():
    end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    service.end_all_sessions(current_user)
    end_session()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))
