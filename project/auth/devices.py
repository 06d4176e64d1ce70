"""Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A browser that logs in to an account gets a signed cookie naming that account and a random
nonce. Its later login attempts on that account are counted per nonce instead of against the
account (auth/throttle.py), so while strangers fail on an account its owner's browsers still
log in; a stolen device cookie is limited on its own and grants nothing without the password.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "device-cookie"
COOKIE_PATH = "/auth"  # only the login form reads it: no extra bytes on other requests


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def device_for(account: str | None) -> str | None:
    """The nonce of this request's valid device cookie for `account`, else None."""
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not raw or not account:
        return None
    try:
        data = serializer().loads(raw, max_age=current_app.config["DEVICE_COOKIE_DURATION"])
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("account") != account:
        return None
    return data.get("nonce") if isinstance(data.get("nonce"), str) else None


def remember_device(response: Response, account: str) -> None:
    """Give this browser a new device cookie for `account` (after a successful login)."""
    config = current_app.config
    value = serializer().dumps({"account": account, "nonce": secrets.token_urlsafe(16)})
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        value,
        max_age=config["DEVICE_COOKIE_DURATION"],
        path=COOKIE_PATH,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
