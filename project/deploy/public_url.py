"""Is the bundle's public URL (APP_PUBLIC_URL) set, and does it fit how the site is reached?

Links in mails are built from it alone (project/links.py), so a wrong one sends users' reset
links nowhere, or to someone else. `start` refuses on an error; `check` lists every finding.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..config import is_loopback
from .settings import DeploySettings

OK, WARN, ERROR = "ok", "warning", "error"
HINT = "e.g. APP_PUBLIC_URL=https://example.com scripts/ctl restart"


def exposure(settings: DeploySettings) -> str:
    """Why users reach the site by another name than the bound address."""
    if settings.proxy_hops >= 1:
        return f"APP_PROXY_HOPS={settings.proxy_hops} (a proxy in front)"
    return f"gunicorn binds {settings.host or '*'} (reachable from other machines)"


def finding(settings: DeploySettings) -> tuple[str, str]:
    """(level, message) about the public URL the workers will get."""
    url, outside = settings.public_url, settings.reachable_from_outside
    if not url:
        why = exposure(settings)
        return (
            ERROR,
            f"APP_PUBLIC_URL is not set and {why}: set it to the address users use ({HINT})",
        )
    loopback = is_loopback(urlsplit(url).hostname or "")
    if outside and loopback:
        why = exposure(settings)
        return ERROR, f"APP_PUBLIC_URL {url} is a loopback address, but {why}: users get dead links"
    if not outside and loopback and urlsplit(url).port != settings.port:
        return ERROR, f"APP_PUBLIC_URL {url} does not match the bound {settings.url}"
    if not outside and not loopback:
        hint = "if a proxy forwards to it, set APP_PROXY_HOPS=1"
        return WARN, f"APP_PUBLIC_URL {url} names another host, but nothing is in front: {hint}"
    return OK, f"links in mails point to {url}"


def errors(settings: DeploySettings) -> list[str]:
    level, message = finding(settings)
    return [message] if level == ERROR else []
