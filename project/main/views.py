"""Public pages, the language switcher and the favicon."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .. import i18n
from ..assets import static_url
from ..auth.redirects import safe_next
from ..extensions import csrf

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.post("/locale")
@csrf.exempt  # checked in the view: anonymous visitors have no session to keep a token in
def set_locale():
    """The header's language switcher: remembered in this browser and, when logged in, on
    the account (mails follow it), then back to the page it was chosen on."""
    check_forgery()
    locale = i18n.known(request.form.get("locale"))
    if locale is None:
        abort(400)
    if current_user.is_authenticated:
        i18n.save_user_locale(current_user, locale)
    response = redirect(safe_next(request.form.get("next")) or url_for("main.index"))
    i18n.remember_in_cookie(response, locale)
    return response


def check_forgery() -> None:
    """A logged-in user's form carries the session's CSRF token, as every form does. An
    anonymous visitor's has none: a token would need a session, and anonymous pages create
    none (no cookie on the home page). Their browser says where the form came from instead:
    Origin on a POST (Referer, same-origin by our Referrer-Policy, where it is left out)."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    if current_user.is_authenticated:
        csrf.protect()
    elif not from_this_site():
        raise CSRFError("The form was not sent from this site.")


def from_this_site() -> bool:
    here = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == here
    referer = request.headers.get("Referer", "")
    return referer == here or referer.startswith(here + "/")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by themselves (on the API's JSON too): the SVG answers."""
    return redirect(static_url("favicon.svg"), code=301)


# /healthz is answered in front of Flask: see project/health.py.
