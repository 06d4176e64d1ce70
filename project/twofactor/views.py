"""Pages: two-factor settings (enrol, recovery codes, turn off), the sign-in second step,
and an admin's reset of a user's second factor."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import i18n
from ..auth.redirects import safe_next
from ..auth.roles import role_required
from ..auth.service import AccountError, Throttled
from ..auth.sessions import start_session
from ..models import User
from . import notices, passkeys, service
from .forms import CodeForm, DisableForm, EnrolForm
from .service import TwoFactorError, WrongCode

bp = Blueprint("twofactor", __name__)

# Session key of a sign-in whose password was right and whose second step is pending.
PENDING = "two_factor_pending"
PENDING_SECONDS = 300
# Where an admin without a second factor may go while the policy holds them back.
OPEN_TO_UNENROLLED_ADMINS = {
    "twofactor.settings",
    "twofactor.start",
    "twofactor.enrol",
    "auth.logout",
    "static",
}


def begin_second_step(user: User, remember: bool, next_url: str | None):
    """After the right password: no session yet, only a short-lived pending mark."""
    session.clear()
    session[PENDING] = {
        "user": user.id,
        "remember": bool(remember),
        "next": next_url,
        "at": time.time(),
    }
    return redirect(url_for("twofactor.second_step"))


def pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING) or {}
    fresh = time.time() - pending.get("at", 0) < PENDING_SECONDS
    user = User.get_or_none(User.id == pending.get("user")) if fresh else None
    return (user if user is not None and user.active else None), pending


@bp.route("/auth/two-factor", methods=["GET", "POST"])
def second_step():
    user, pending = pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again: the sign-in was not finished in time."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            kind = service.verify(user, form.code.data, request.remote_addr)
        except Throttled as exc:
            form.code.errors.append(str(exc))
            page = second_step_page(user, form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        except WrongCode as exc:
            form.code.errors.append(i18n.sentence(exc))
        else:
            start_session(user, remember=pending.get("remember", False))
            if kind == "recovery":
                left = service.recovery_codes_left(user)
                message = ngettext(
                    "You used a recovery code; %(num)d left. Make new ones in Two-factor settings.",
                    "You used a recovery code; %(num)d left. Make new ones in Two-factor settings.",
                    left,
                )
                flash(message, "warning")
            return redirect(safe_next(pending.get("next")) or url_for("account.index"))
    return second_step_page(user, form)


def second_step_page(user: User, form: CodeForm):
    return render_template(
        "twofactor/second_step.html", form=form, has_passkeys=bool(passkeys.passkeys_of(user))
    )


@bp.get("/account/two-factor")
@login_required
def settings():
    user = current_user._get_current_object()
    secret = service.pending_secret(user)
    context = {"enabled": service.is_enabled(user), "secret": secret}
    if secret:
        uri = service.provisioning_uri(user, secret)
        context.update(qr=service.qr_svg(uri), uri=uri)
    if context["enabled"]:
        context["codes_left"] = service.recovery_codes_left(user)
        context["passkeys"] = passkeys.passkeys_of(user)
    forms = {
        "enrol_form": EnrolForm(formdata=None),
        "disable_form": DisableForm(formdata=None),
        "code_form": CodeForm(formdata=None),
    }
    return render_template("twofactor/settings.html", **context, **forms)


@bp.post("/account/two-factor/start")
@login_required
def start():
    CodeForm(formdata=None)  # CSRF is checked by CSRFProtect for every POST
    try:
        service.start_enrolment(current_user._get_current_object())
    except TwoFactorError as exc:
        flash(i18n.sentence(exc), "error")
    return redirect(url_for("twofactor.settings"))


@bp.post("/account/two-factor/enrol")
@login_required
def enrol():
    user = current_user._get_current_object()
    form = EnrolForm()
    if not form.validate_on_submit():
        flash(_("Type the 6-digit code your app shows."), "error")
        return redirect(url_for("twofactor.settings"))
    try:
        codes = service.confirm_enrolment(user, form.code.data, request.remote_addr)
    except Throttled as exc:
        flash(str(exc), "error")
        return redirect(url_for("twofactor.settings"))
    except (WrongCode, TwoFactorError) as exc:
        flash(i18n.sentence(exc), "error")
        return redirect(url_for("twofactor.settings"))
    notices.send(user, _l("two-factor sign-in was turned on"))
    return render_template("twofactor/recovery_codes.html", codes=codes)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def regenerate():
    user = current_user._get_current_object()
    form = CodeForm()
    try:
        if not form.validate_on_submit():
            raise WrongCode(_("type a current code to make new recovery codes"))
        service.verify(user, form.code.data, request.remote_addr)
    except (Throttled, WrongCode) as exc:
        message = str(exc) if isinstance(exc, Throttled) else i18n.sentence(exc)
        flash(message, "error")
        return redirect(url_for("twofactor.settings"))
    codes = service.new_recovery_codes(user)
    notices.send(user, _l("new recovery codes were made (the old ones no longer work)"))
    return render_template("twofactor/recovery_codes.html", codes=codes)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    user = current_user._get_current_object()
    form = DisableForm()
    if not form.validate_on_submit():
        flash(_("Give your password and a current code to turn two-factor sign-in off."), "error")
        return redirect(url_for("twofactor.settings"))
    try:
        service.disable(user, form.password.data, form.code.data, request.remote_addr)
    except Throttled as exc:
        flash(str(exc), "error")
    except (AccountError, WrongCode) as exc:
        flash(i18n.sentence(exc), "error")
    else:
        notices.send(user, _l("two-factor sign-in was turned off"))
        flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("twofactor.settings"))


@bp.post("/admin/users/<int:user_id>/reset-two-factor")
@role_required("admin")
def admin_reset(user_id: int):
    user = User.get_or_none(User.id == user_id) or abort(404)
    service.reset_by_admin(current_user._get_current_object(), user)
    notices.send(user, _l("an administrator reset your two-factor sign-in"))
    flash(
        _("Second factor of %(address)s reset; their sessions ended.", address=user.email),
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.before_app_request
def hold_back_unenrolled_admins():
    """With REQUIRE_TWO_FACTOR_FOR_ADMINS, an admin without a second factor reaches only
    the enrolment pages (and logout) until they enrol."""
    if not current_app.config.get("REQUIRE_TWO_FACTOR_FOR_ADMINS"):
        return None
    if request.endpoint in OPEN_TO_UNENROLLED_ADMINS or request.endpoint is None:
        return None
    if request.path.startswith("/api/"):
        return None  # bearer tokens need a code to be made (api/), pages are what is held
    if not (current_user.is_authenticated and current_user.is_admin):
        return None
    if service.is_enabled(current_user._get_current_object()):
        return None
    flash(_("Administrators must turn on two-factor sign-in before anything else."), "warning")
    return redirect(url_for("twofactor.settings"))
