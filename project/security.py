"""Security headers on every response (a failed CSRF check is an error page: http_errors)."""

from __future__ import annotations

from flask import Flask, current_app, g, request

# Pages load scripts and styles from this site only: no inline code, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


# (lower-cased name, name, value): one pass over the response's headers instead of five.
HEADER_ITEMS = [(name.lower(), name, value) for name, value in HEADERS.items()]


def add_security_headers(response):
    """Set the headers unless a view chose its own."""
    present = {key.lower() for key, _ in response.headers.items()}
    for lower, name, value in HEADER_ITEMS:
        if lower not in present:
            response.headers.add(name, value)
    if for_a_user():
        # A page or API answer for someone logged in must not stay in a shared or browser
        # cache (ASVS 8.2.1): the next user of the machine could read it back.
        response.headers["Cache-Control"] = "no-store"
    max_age = current_app.config["HSTS_SECONDS"]
    # HSTS over plain HTTP is ignored by browsers and would only mislead; prod sets max_age.
    if max_age and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


def for_a_user() -> bool:
    """True when this response was made for a logged-in user or a bearer token.

    Reads only what the request already loaded: flask-login's user (every page that shows
    who is logged in loads it) and the API's caller, so anonymous and static answers cost
    nothing and keep their own caching headers.
    """
    user = g.get("_login_user")
    return (user is not None and user.is_authenticated) or g.get("api_user") is not None
