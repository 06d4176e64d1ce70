"""X-Forwarded-* believed from the configured reverse proxy only.

werkzeug's ProxyFix trusts the headers of whichever peer connected; a client talking straight
to gunicorn could then choose its own address (for the logs and the per-address throttle).
Here the headers are applied only when the connecting peer is one of the proxy's addresses.
"""

from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

# gunicorn's REMOTE_ADDR for a client of its unix socket (no address): named "unix" in
# PROXY_PEERS. Only processes that can enter the socket's folder (nginx's group) get there.
UNIX_PEER = "unix"


def parse_peers(peers: str) -> frozenset[str]:
    """'127.0.0.1, ::1, unix' -> the normalised addresses; a bad entry is a ConfigError upstream."""
    items = [item.strip() for item in peers.split(",") if item.strip()]
    return frozenset(
        item if item == UNIX_PEER else str(ipaddress.ip_address(item)) for item in items
    )


class TrustedProxyFix:
    """ProxyFix for requests from `peers`; every other request passes through untouched."""

    def __init__(self, wsgi_app, hops: int, peers: str):
        self.wsgi_app = wsgi_app
        # X-Forwarded-Host is never trusted: links and TRUSTED_HOSTS come from PUBLIC_URL.
        self.proxied = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0)
        self.peers = parse_peers(peers)

    def __call__(self, environ, start_response):
        if self.is_proxy(environ.get("REMOTE_ADDR", "")):
            return self.proxied(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def is_proxy(self, address: str) -> bool:
        if address == "":
            return UNIX_PEER in self.peers
        try:
            return str(ipaddress.ip_address(address)) in self.peers
        except ValueError:
            return False
