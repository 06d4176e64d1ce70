"""Accounts: register, log in, log out (POST only), log out everywhere (mail links: email_views)."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import i18n
from ..limits import Limited, wait_phrase
from . import devices, emails, refusal_page, service
from .forms import LoginForm, RegisterForm
from .redirects import safe_next
from .service import AccountError, InvalidCredentials, Throttled
from .sessions import end_session, start_session

bp = Blueprint("auth", __name__, url_prefix="/auth")

# Session key naming the user who gave the right password but must confirm first.
AWAITING_CONFIRMATION = "awaiting_confirmation"


# The same for a new and a taken address: the page must not tell who has an account.
REGISTERED = _l(
    "Thank you. We sent a message to %(address)s: follow its link to confirm the address, "
    "and log in below."
)


def mail_failed_message() -> str:
    return _(
        "We could not send the confirmation link: the mail server did not answer. "
        "Please try again later."
    )


def landing() -> str:
    """Where to go after logging in: a safe `next`, else the account page."""
    return safe_next(request.args.get("next")) or url_for("account.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account; a taken address gets the same answer (its owner gets a mail)."""
    if current_user.is_authenticated:  # as login does: a second account would switch sessions
        return redirect(landing())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            address = emails.register(form.email.data, form.password.data, request.remote_addr)
        except Limited as exc:
            wait = wait_phrase(exc.retry_after)  # "about 15 minutes", not "897 s"
            form.form_errors.append(_("Too many registrations. Try again in %(wait)s.", wait=wait))
            page = render_template("auth/register.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        except AccountError as exc:  # the form checked the rules: only a race gets here
            form.email.errors.append(i18n.sentence(exc))
        else:
            flash(REGISTERED % {"address": address}, "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing())
    form = LoginForm()
    if form.validate_on_submit():
        device = devices.device_for(service.email_or_none(form.email.data))
        try:
            user = service.authenticate(
                form.email.data, form.password.data, request.remote_addr, device
            )
        except Throttled as exc:
            return throttled(form, exc)
        except InvalidCredentials as exc:
            form.form_errors.append(i18n.sentence(exc))
        else:
            if emails.must_confirm_first(user):
                return unconfirmed(form, user)
            return logged_in(user, form.remember.data)
    return render_template("auth/login.html", form=form, next=safe_next(request.args.get("next")))


def logged_in(user, remember: bool):
    """The right password: a session (or the second step), and a device cookie either way,
    since this browser has shown it knows the account's password."""
    if second_factor_enabled(user):  # the password alone never yields a session
        response = make_response(second_step(user, remember))
    else:
        start_session(user, remember=remember)
        response = redirect(landing())
    devices.remember_device(response, user.email)
    return response


def second_factor_enabled(user) -> bool:
    from ..twofactor.service import is_enabled  # imported late: twofactor imports auth

    return is_enabled(user)


def second_step(user, remember: bool):
    from ..twofactor import begin_second_step

    return begin_second_step(user, remember, safe_next(request.args.get("next")))


def unconfirmed(form: LoginForm, user):
    """Right password, address not confirmed yet: offer a new link instead of a session."""
    session[AWAITING_CONFIRMATION] = user.id
    form.form_errors.append(_("Confirm your email address first: follow the link we sent you."))
    page = render_template("auth/login.html", form=form, next=None, resend=True)
    return page, 403


def throttled(form: LoginForm, exc: Throttled):
    page = refusal_page.render(form, str(exc), safe_next(request.args.get("next")))
    return page, 429, {"Retry-After": str(exc.retry_after)}


@bp.post("/logout")
def logout():
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    service.end_all_sessions(current_user)
    end_session()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"))
