"""The reader's language: Flask-Babel, the locale each request is answered in, the switcher.

The locale is, in order: the logged-in user's choice (a column on the user), the browser's
(a cookie, for anonymous visitors and until a login), the best match of Accept-Language,
else English. Choosing it is a look-up on what the request has loaded already: no query.
Mails are rendered in the recipient's language with `in_locale` (see mail.make_message).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user

from .models import User

# Locale code: its own name, as the switcher shows it (a reader looks for their language).
LANGUAGES = {"en": "English", "zh_CN": "中文"}
DEFAULT_LOCALE = "en"
COOKIE = "locale"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Where the compiled catalogues are, relative to the package (scripts/build-translations).
TRANSLATIONS = "translations"

babel = Babel()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    # {% trans %} blocks are read without their line breaks and indentation (babel.cfg too).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS)
    app.jinja_env.globals.update(languages=LANGUAGES, html_lang=html_lang, get_locale=get_locale)


def select_locale() -> str | None:
    """The locale of this request (Flask-Babel asks once per request and keeps it)."""
    if not has_request_context():
        return None  # the CLI, a job: the default, unless force_locale says otherwise
    user = g.get("api_user") or current_user
    if user.is_authenticated and user.locale in LANGUAGES:
        return user.locale
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LOCALE


def known(locale: str | None) -> str | None:
    """`locale` if the site speaks it, else None."""
    return locale if locale in LANGUAGES else None


def in_locale(locale: str | None) -> AbstractContextManager:
    """Render in `locale` (a user's column; None or unknown: the default language)."""
    return force_locale(known(locale) or DEFAULT_LOCALE)


def html_lang(locale) -> str:
    """BCP 47 for <html lang>: zh_CN -> zh-CN."""
    return str(locale).replace("_", "-")


def remember_in_cookie(response, locale: str) -> None:
    """Keep the choice in this browser (anonymous visits, and the next login page)."""
    response.set_cookie(
        COOKIE,
        locale,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def save_user_locale(user, locale: str) -> None:
    User.update(locale=locale).where(User.id == user.id).execute()
    user.locale = locale
