"""Passkey endpoints: JSON for the browser's WebAuthn calls, forms to rename and remove.

The browser code is static_src/js/passkeys.js (bundled; no inline script). JSON POSTs carry
the CSRF token in the X-CSRFToken header, which Flask-WTF checks like a form field.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import i18n
from ..auth import throttle
from ..auth.redirects import safe_next
from ..auth.service import Throttled
from ..auth.sessions import start_session
from ..http_errors import abort_with, answers_json
from . import notices, passkeys, service
from .passkeys import PasskeyError
from .views import bp, pending_user


def json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/account/passkeys/options")
@answers_json
@login_required
def passkey_registration_options():
    user = current_user._get_current_object()
    if not service.is_enabled(user):
        abort_with(
            409,
            "app_first",
            _("Turn on the authenticator app first: it carries the recovery codes."),
        )
    return passkeys.registration_options(user), 200, {"Content-Type": "application/json"}


@bp.post("/account/passkeys")
@answers_json
@login_required
def passkey_register():
    user = current_user._get_current_object()
    body = json_body()
    try:
        passkey = passkeys.finish_registration(
            user, body.get("credential") or {}, str(body.get("name", ""))
        )
    except PasskeyError as exc:
        abort_with(400, "passkey_refused", i18n.sentence(exc))
    notices.send(user, _l("a passkey named “%(name)s” was added", name=passkey.name))
    return jsonify({"id": passkey.id, "name": passkey.name}), 201


@bp.post("/account/passkeys/<int:passkey_id>/rename")
@login_required
def passkey_rename(passkey_id: int):
    if passkeys.rename(
        current_user._get_current_object(), passkey_id, request.form.get("name", "")
    ):
        flash(_("Passkey renamed."), "success")
    else:
        flash(_("Give the passkey a name."), "error")
    return redirect(url_for("twofactor.settings"))


@bp.post("/account/passkeys/<int:passkey_id>/delete")
@login_required
def passkey_delete(passkey_id: int):
    user = current_user._get_current_object()
    if passkeys.delete(user, passkey_id):
        notices.send(user, _l("a passkey was removed"))
        flash(_("Passkey removed."), "success")
    return redirect(url_for("twofactor.settings"))


@bp.post("/auth/two-factor/passkey/options")
@answers_json
def passkey_sign_in_options():
    user, _pending = pending_user()
    if user is None or not passkeys.passkeys_of(user):
        abort_with(400, "no_pending_sign_in", _("Log in again with your password first."))
    return passkeys.authentication_options(user), 200, {"Content-Type": "application/json"}


@bp.post("/auth/two-factor/passkey")
@answers_json
def passkey_sign_in():
    """The second step answered by a passkey; failures count in the account's throttle."""
    user, pending = pending_user()
    if user is None:
        abort_with(400, "no_pending_sign_in", _("Log in again with your password first."))
    try:
        throttle.check(user.email, request.remote_addr, service.this_device(user))
        passkeys.finish_authentication(user, json_body().get("credential") or {})
    except Throttled as exc:
        abort_with(429, "throttled", str(exc), headers={"Retry-After": str(exc.retry_after)})
    except PasskeyError as exc:
        throttle.record_failure(user.email, request.remote_addr, service.this_device(user))
        abort_with(400, "passkey_refused", i18n.sentence(exc))
    start_session(user, remember=pending.get("remember", False))
    return jsonify({"next": safe_next(pending.get("next")) or url_for("account.index")})
