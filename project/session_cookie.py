"""Flask's signed-cookie sessions with the signing serializer built once per secret key.

Flask builds a new itsdangerous serializer on every request just to read the cookie; keeping
one per (app, secret key) removes that from every request's path.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask):
        cached = app.extensions.get("session_serializer")
        if cached is None or cached[0] != app.secret_key:
            serializer = super().get_signing_serializer(app)
            cached = (app.secret_key, serializer)
            app.extensions["session_serializer"] = cached
        return cached[1]


def init_app(app: Flask) -> None:
    app.session_interface = CachedSerializerSessionInterface()
