"""gunicorn logger class that keeps the secrets of mailed links out of the access log.

Reset and confirmation links carry their token in the path (`/auth/reset/<token>`), and so
does the Referer of every request the page makes: logged in full, a log reader could reset a
password within the hour. Every logged value (request line, path, referer, headers) passes
through `mask_tokens`. The gunicorn master imports this module: it must not import app code.
"""

from __future__ import annotations

import re

from gunicorn import glogging

# The routes in project/auth/email_views.py whose last segment is a token; `resend` is a
# fixed route, not a token. tests/unit/test_access_log.py checks every <token> route matches.
TOKEN_PATH = re.compile(r"(/auth/(?:reset|confirm)/)(?!resend(?:[/?#\s\"]|$))[^/?#\s\"]+")
MASK = r"\1[token]"


def mask_tokens(text: str) -> str:
    return TOKEN_PATH.sub(MASK, text)


class MaskingLogger(glogging.Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask_tokens(v) if isinstance(v, str) else v for k, v in atoms.items()}
