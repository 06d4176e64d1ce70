"""The reader's language: Flask-Babel, the locale each request is answered in, the switcher.

The locale is, in order: the logged-in user's choice (a column on the user), the browser's
(a cookie, for anonymous visitors and until a login), the best match of Accept-Language,
else English. Choosing it is a look-up on what the request has loaded already: no query.
Mails are rendered in the recipient's language with `in_locale` (see mail.make_message).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache, cached_property, lru_cache
from types import SimpleNamespace

from babel import Locale, support
from flask import Flask, after_this_request, current_app, request
from flask.globals import _cv_app, _cv_request
from flask_babel import (
    Babel,
    Domain,
    force_locale,
    get_locale,
    gettext,
    refresh,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .i18n_templates import TranslatingEnvironment
from .models import User

# Locale code: its own name, as the switcher shows it (a reader looks for their language).
LANGUAGES = {"en": "English", "zh_CN": "中文"}
DEFAULT_LOCALE = "en"
COOKIE = "locale"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Where the compiled catalogues are, relative to the package (scripts/build-translations).
TRANSLATIONS = "translations"

# Each language's Babel locale, parsed once: the selector hands these out (Flask-Babel's
# Locale.parse of a Locale returns it as it is).
LOCALES = {code: Locale.parse(code) for code in LANGUAGES}

# How a role reads on a page (the stored value is the English word).
ROLE_NAMES = {"user": _l("user"), "admin": _l("admin")}


class CatalogueDomain(Domain):
    """Flask-Babel's domain, finding translations/zh_CN/ for the locale Babel calls
    zh_Hans_CN (gettext alone would look in zh_Hans_CN/ and zh/ only)."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        return self.catalogue(site_code(locale))

    def catalogue(self, code: str):
        """The compiled catalogue of a site language, loaded once per process."""
        key = (code, self.domain[0])
        if key not in self.cache:
            names = [code, str(Locale.parse(code))]
            self.cache[key] = support.Translations.load(
                self.translation_directories[0], names, self.domain[0]
            )
        return self.cache[key]


class SiteBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CatalogueDomain(domain=self.domain)


babel = SiteBabel()


def init_app(app: Flask) -> None:
    # Before anything renders: templates are compiled once per language (i18n_templates.py).
    if "jinja_env" in app.__dict__:
        raise RuntimeError("i18n.init_app must run before the template environment is made")
    app.jinja_environment = TranslatingEnvironment
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    # {% trans %} blocks are read without their line breaks and indentation (babel.cfg too).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS)
    app.after_request(vary_on_language)
    # A literal message is compiled into each language's templates (i18n_templates.py); the
    # rest (a message that is not a literal, a template from a string) goes straight to the
    # request's catalogue, not through Flask-Babel's callables, which look the domain, the
    # context and the locale up again on every call.
    app.jinja_env.globals.update(_=page_gettext, gettext=page_gettext, ngettext=page_ngettext)
    app.jinja_env.globals.update(sentence=sentence, role_name=role_name)


def page_state() -> tuple:
    """(Babel locale, its site code, its catalogue) for the current context, kept where
    Flask-Babel keeps the locale (g._flask_babel) until that changes (force_locale)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return None, DEFAULT_LOCALE, support.NullTranslations()
    holder = app_ctx.g.__dict__.get("_flask_babel")
    if holder is None:
        holder = app_ctx.g._flask_babel = SimpleNamespace()
    locale = getattr(holder, "babel_locale", None)
    if locale is None:
        # What flask_babel.get_locale does, without its proxies: every page comes here.
        locale = holder.babel_locale = select_locale() or LOCALES[DEFAULT_LOCALE]
    state = getattr(holder, "site_locale_state", None)
    if state is None or state[0] is not locale:
        code = site_code(locale)
        state = holder.site_locale_state = (locale, code, babel.domain_instance.catalogue(code))
    return state


@cache  # one entry per language
def page_globals(code: str) -> dict:
    """What a template compiled for language `code` knows of it (i18n_templates.py)."""
    return {"page_locale": code, "page_lang": html_lang(code), "language_buttons": buttons(code)}


# One button per language, in its own name and language; the page's own is pressed. The
# same for every page of a language: built once, not looped over on every page.
BUTTON = Markup(
    '<button type="submit" class="link-button" name="locale" value="{code}" lang="{tag}"'
    "{pressed}>{name}</button>"
)


def buttons(code: str) -> Markup:
    return Markup("\n").join(
        BUTTON.format(
            code=other,
            tag=html_lang(other),
            pressed=Markup(' aria-pressed="true"') if other == code else "",
            name=name,
        )
        for other, name in LANGUAGES.items()
    )


TranslatingEnvironment.page_state = staticmethod(page_state)
TranslatingEnvironment.page_globals = staticmethod(page_globals)


@pass_eval_context
def page_gettext(eval_ctx, message: str, **variables) -> str:
    """Jinja's newstyle gettext (for what is not compiled in: a message that is not a literal,
    a template from a string): the values are escaped into the translation (autoescape)."""
    return formatted(eval_ctx, page_state()[2].ugettext(message), variables)


def formatted(eval_ctx, text: str, variables: dict) -> str:
    # Always a format string, as in Jinja's own ("100%%" reads "100%" with or without values).
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 (our catalogue)


@pass_eval_context
def page_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return formatted(eval_ctx, page_state()[2].ungettext(singular, plural, num), variables)


def select_locale() -> Locale | None:
    """The locale of this request (Flask-Babel asks once per request and keeps it). Every
    page asks: the contexts are read directly, not through Flask's proxies."""
    request_ctx = _cv_request.get(None)
    if request_ctx is None:
        return None  # the CLI, a job: the default, unless force_locale says otherwise
    found = _cv_app.get().g.__dict__
    # The API's user, else flask-login's (its g._login_user once loaded, else the proxy loads it).
    user = found.get("api_user") or found.get("_login_user") or current_user
    if user.is_authenticated and user.locale in LANGUAGES:
        return LOCALES[user.locale]
    http = request_ctx.request
    chosen = http.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return LOCALES[chosen]
    return LOCALES[best_language(http.headers.get("Accept-Language", ""))]


@lru_cache(maxsize=1024)
def best_language(accept_language: str) -> str:
    """The site's language for an Accept-Language header, else English. A browser sends the
    same header on every request: parsing and matching it once per process is enough (the
    cache is bounded: a client making up headers only pushes others out)."""
    offered = parse_accept_header(accept_language, LanguageAccept)
    return offered.best_match(LANGUAGES) or DEFAULT_LOCALE


def vary_on_language(response):
    """A response in the request's language says that it depends on Accept-Language, or a
    cache in front (nginx, a CDN) would hand one reader's language to the next."""
    # Where the request's locale is kept once chosen (page_state).
    holder = _cv_app.get().g.__dict__.get("_flask_babel")
    if getattr(holder, "babel_locale", None) is None:
        return response
    if "Vary" in response.headers:
        response.vary.add("Accept-Language")
    else:  # the usual case, and 5x cheaper than parsing the header set (every page does it)
        response.headers["Vary"] = "Accept-Language"
    return response


def known(locale: str | None) -> str | None:
    """`locale` if the site speaks it, else None."""
    return locale if locale in LANGUAGES else None


def in_locale(locale: str | None) -> AbstractContextManager:
    """Render in `locale` (a user's column; None or unknown: the default language)."""
    return force_locale(known(locale) or DEFAULT_LOCALE)


def site_code(locale) -> str:
    """The site's name for a Babel locale: its LANGUAGES key ("zh_CN", "en")."""
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def html_lang(code: str) -> str:
    """BCP 47 for <html lang>: zh_CN -> zh-CN."""
    return code.replace("_", "-")


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


def sentence(message) -> str:
    """A service's lower-case message ("password must have …") as a sentence of the page."""
    text = str(message)
    # TRANSLATORS: the full stop that ends a sentence ("。" in Chinese).
    return text[:1].upper() + text[1:] + gettext(".")


def current_locale() -> str:
    """This request's locale as stored on a user ("zh_CN")."""
    return page_state()[1]


def on_login(user) -> None:
    """At login the account and this browser agree on one language: the account's choice if
    it has one (this browser's cookie follows it), else this browser's choice is adopted."""
    if known(user.locale) is None:
        chosen = known(request.cookies.get(COOKIE))
        if chosen is not None:
            save_user_locale(user, chosen)
        return
    if request.cookies.get(COOKIE) != user.locale:
        after_this_request(lambda response: remember_in_cookie(response, user.locale) or response)
    refresh()  # the rest of this request (the flashed message) speaks the account's language


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))
