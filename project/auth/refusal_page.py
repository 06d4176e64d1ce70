"""The throttled login page (429), rendered once per worker and then filled in per request.

A login flood gets this page for almost every guess. Rendering login.html costs a third of
that request (Jinja, the form macros, every input's attributes); the page differs between
refusals in five values only: the CSRF token, the email typed, the remember box, the
sentence (its wait) and the form's action (`next`). So the template is rendered once with a
marker in each of them, cut at the markers, and each refusal joins the pieces around its own
values, escaped as Jinja and the widgets escape them (markupsafe's `escape`). The page is the
one a render gives, byte for byte (tests/unit/test_refusal_page.py compares the two).

What else the template reads is the same for every refusal: the login view answers only
anonymous visitors, on one endpoint. Flashed messages are the exception (a page shows and
pops them), so a session holding some gets the full render, as does any page the markers
cannot cut cleanly.
"""

from __future__ import annotations

import secrets

from flask import current_app, render_template, request, session, url_for
from markupsafe import escape

from ..i18n import current_locale
from .forms import LoginForm

TEMPLATE = "auth/login.html"
EXTENSION = "login_refusal_pages"
HOLES = ("token", "email", "message", "action")


def render(form: LoginForm, message: str, next_url: str | None) -> str:
    """login.html for `form` with `message` as its one form error (and no field errors)."""
    if "_flashes" in session or any(field.errors for field in form):
        return full(form, message, next_url)
    pieces = skeleton(bool(form.remember.data), has_token(form))
    if pieces is None:
        return full(form, message, next_url)
    values = {
        "token": form.csrf_token.current_token if has_token(form) else "",
        "email": form.email.data or "",
        "message": message,
        "action": action(next_url),
    }
    return fill(pieces, values)


def full(form: LoginForm, message: str, next_url: str | None) -> str:
    form.form_errors.append(message)
    return render_template(TEMPLATE, form=form, next=next_url)


def has_token(form: LoginForm) -> bool:
    return "csrf_token" in form


def action(next_url: str | None) -> str:
    """The form's action, as login.html computes it."""
    return url_for("auth.login", next=next_url) if next_url else url_for("auth.login")


def fill(pieces: list[tuple[str, str]], values: dict[str, str]) -> str:
    return "".join(text + (str(escape(values[hole])) if hole else "") for text, hole in pieces)


def skeleton(remember: bool, token: bool) -> list[tuple[str, str]] | None:
    """The page cut into (text, hole after it) pieces; None when it cannot be cut cleanly.

    Kept per app, per mount point (script_root goes into every URL of the page) and per
    language (every word of it)."""
    cache = current_app.extensions.setdefault(EXTENSION, {})
    key = (request.script_root, current_locale(), remember, token)
    if key not in cache:
        cache[key] = cut(*marked_page(remember, token))
    return cache[key]


def marked_page(remember: bool, token: bool) -> tuple[str, dict[str, str]]:
    """login.html rendered with a unique marker in each value that varies between refusals."""
    markers = {hole: f"hole{secrets.token_hex(8)}" for hole in HOLES}
    form = LoginForm(formdata=None, meta={"csrf": token})
    form.email.data = markers["email"]
    form.remember.data = remember
    if token:
        form.csrf_token.current_token = markers["token"]
    form.form_errors.append(markers["message"])
    page = render_template(TEMPLATE, form=form, next=markers["action"])
    # The action is a URL made from the marker: the whole attribute value is the hole.
    markers["action"] = str(escape(action(markers["action"])))
    if not token:
        del markers["token"]
    return page, markers


def cut(page: str, markers: dict[str, str]) -> list[tuple[str, str]] | None:
    found = sorted((page.find(marker), hole, marker) for hole, marker in markers.items())
    if any(page.count(marker) != 1 for marker in markers.values()):
        return None
    pieces, start = [], 0
    for position, hole, marker in found:
        pieces.append((page[start:position], hole))
        start = position + len(marker)
    pieces.append((page[start:], ""))
    return pieces
