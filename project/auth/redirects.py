"""The `next` parameter: only a path on this site, never a way to send users elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` when it is a same-site path ("/account?tab=1"), else None.

    Refused: absolute URLs, scheme-relative "//host", "/\\host" (browsers read "\\" as "/"),
    and any whitespace or control character (browsers drop tabs and newlines, so
    "/\\t/host" would become "//host").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
