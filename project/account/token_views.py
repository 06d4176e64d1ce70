"""The settings page's API tokens: revoke one, or all (the list itself is in settings.html)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..api import bearer_tokens
from .views import bp


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not bearer_tokens.revoke_owned(current_user, token_id):
        abort(404)  # someone else's, or ended already: the same answer
    flash(_("Token revoked: it no longer works."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/tokens/revoke-all")
@login_required
def revoke_all_tokens():
    count = bearer_tokens.revoke_all(current_user)
    flash(ngettext("%(num)d token revoked.", "%(num)d tokens revoked.", count), "success")
    return redirect(url_for("account.settings"))
