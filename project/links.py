"""Absolute links for messages, built on PUBLIC_URL alone.

The request's Host (or X-Forwarded-Host) never enters a link: a forged one would otherwise
turn a reset link into one that hands its token to someone else's site. Links build without a
request, too, so a background job can make them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """Absolute URL of `endpoint` (a full name, e.g. "auth.reset_password") under PUBLIC_URL."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
