"""Public pages, the language switcher and the favicon."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from .. import i18n
from ..assets import static_url
from ..auth.redirects import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.post("/locale")
def set_locale():
    """The header's language switcher: remembered in this browser and, when logged in, on
    the account (mails follow it), then back to the page it was chosen on."""
    locale = i18n.known(request.form.get("locale"))
    if locale is None:
        abort(400)
    if current_user.is_authenticated:
        i18n.save_user_locale(current_user, locale)
    response = redirect(safe_next(request.form.get("next")) or url_for("main.index"))
    i18n.remember_in_cookie(response, locale)
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by themselves (on the API's JSON too): the SVG answers."""
    return redirect(static_url("favicon.svg"), code=301)


# /healthz is answered in front of Flask: see project/health.py.
