"""nginx in front of the real bundle over the unix socket (F-14, F-26, F-11): the rendered
HTTPS example, with only its ports and certificate paths filled in, serves the site through
`<project>/sock/web.sock`, redirects :80 with 301, sends HSTS, and logs no link token.

Needs an nginx binary (`NGINX_BIN=/path/to/nginx` or on PATH; .ci/run unpacks Debian's) and
root (nginx's workers run as nobody:www-data, the socket folder's group).
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from devkit.bundle import Bundle
from devkit.net import free_port
from devkit.nginx import NGINX_BINARY, write_nginx_conf
from devkit.polling import wait_until
from devkit.sandbox import copy_project

# The public name the bundle and nginx serve (APP_PUBLIC_URL, server_name, SNI).
SITE = "shop.test"

pytestmark = pytest.mark.integration

TOKEN = "eyJ1IjoxfQ.Zm9v.YmFy"


@pytest.fixture
def site(public_folder):
    """(bundle, http port, https port, nginx access log) with nginx running in front."""
    env = {"APP_PROXY_HOPS": "1", "APP_PUBLIC_URL": f"https://{SITE}"}
    bundle = Bundle(copy_project(public_folder / "proj"), env=env)
    nginx_dir = public_folder / "nginx"
    nginx_dir.mkdir()
    try:
        bundle.ctl("start", "--bind", "unix", "--socket-group", "www-data", "--workers", "2")
        plain, tls = free_port(), free_port()
        write_site_conf(bundle, nginx_dir, plain, tls)
        started = subprocess.run(
            [NGINX_BINARY, "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert started.returncode == 0, started.stderr
        wait_until(lambda: (nginx_dir / "nginx.pid").exists())
        yield bundle, plain, tls, nginx_dir / "access.log"
    finally:
        pidfile = nginx_dir / "nginx.pid"
        if pidfile.exists():
            subprocess.run(
                [
                    NGINX_BINARY,
                    "-p",
                    str(nginx_dir),
                    "-c",
                    str(nginx_dir / "nginx.conf"),
                    "-s",
                    "stop",
                ],
                capture_output=True,
                timeout=30,
            )
            wait_until(lambda: not pidfile.exists(), timeout=15)
        bundle.cleanup()


def write_site_conf(bundle: Bundle, folder: Path, plain: int, tls: int) -> None:
    site = (bundle.root / "etc" / "nginx-https.conf.example").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;")
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{plain} default_server;")
    site = site.replace(
        "listen 443 ssl default_server;", f"listen 127.0.0.1:{tls} ssl default_server;"
    )
    write_nginx_conf(
        folder,
        site,
        SITE,
        # like Debian's www-data: a member of the socket's group
        main="user nobody www-data;\nworker_processes 1;\n",
    )


class SiteConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that names the site in TLS (SNI): nginx's default_server refuses
    the handshake of a connection naming no site or another one."""

    def connect(self):
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=SITE)


def https_get(port: int, path: str, **headers) -> http.client.HTTPResponse:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    conn = SiteConnection("127.0.0.1", port, timeout=15, context=context)
    conn.request("GET", path, headers={"Host": SITE, **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.skipif(not NGINX_BINARY, reason="no nginx binary (set NGINX_BIN=/path/to/nginx)")
@pytest.mark.skipif(os.geteuid() != 0, reason="nginx's workers switch to nobody:www-data")
def test_nginx_serves_the_bundle_over_the_unix_socket_with_tls(site):
    bundle, plain, tls, nginx_log = site
    conn = http.client.HTTPConnection("127.0.0.1", plain, timeout=15)
    conn.request("GET", "/notes/?x=1", headers={"Host": SITE})
    redirect = conn.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{SITE}/notes/?x=1"
    conn.close()
    home = https_get(tls, "/")
    assert home.status == 200
    hsts = [v for k, v in home.getheaders() if k.lower() == "strict-transport-security"]
    assert hsts == ["max-age=31536000"]  # nginx's, once (the app's own copy is hidden)
    # A reset link (this token is not valid: the page says so) and a stylesheet it refers to.
    assert https_get(tls, f"/auth/reset/{TOKEN}").status == 400
    static = https_get(tls, "/static/favicon.svg", Referer=f"https://{SITE}/auth/reset/{TOKEN}")
    assert static.status == 200
    wait_until(lambda: nginx_log.exists() and "favicon" in nginx_log.read_text())
    nginx_lines = nginx_log.read_text()
    assert "/auth/reset/[token]" in nginx_lines and TOKEN not in nginx_lines
    # gunicorn writes its access line after sending the response: wait for it as well.
    access_path = bundle.root / "var" / "log" / "access.log"
    wait_until(lambda: "/auth/reset/[token]" in access_path.read_text())
    access_log = access_path.read_text()
    assert TOKEN not in access_log
