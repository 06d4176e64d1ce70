"""The nginx examples (F-26): plain for a first try, HTTPS with :80 -> 301 and HSTS, link
tokens masked in nginx's log. `nginx -t` checks both when an nginx binary is found
(`NGINX_BIN=/path/to/nginx` or on PATH)."""

from __future__ import annotations

import re
import subprocess

import pytest

from devkit.nginx import NGINX_BINARY, write_nginx_conf
from project.deploy.access_log import mask_tokens
from project.deploy.nginx import (
    TLS_CERTIFICATE,
    TLS_CERTIFICATE_KEY,
    TOKEN_PATH_REGEX,
    TOKEN_URL_REGEX,
    render_nginx_conf,
    render_nginx_https_conf,
)
from project.deploy.settings import DeploySettings


def server_blocks(text: str) -> list[str]:
    """The site's server blocks, without the default_server ones that refuse unknown hosts."""
    blocks = re.findall(r"^server \{\n(.*?)^\}", text, re.S | re.M)
    return [block for block in blocks if "default_server" not in block]


def test_unknown_hosts_are_refused_on_both_ports():
    text = render_nginx_https_conf(DeploySettings())
    assert "listen 80 default_server;\n    server_name _;\n    return 444;" in text
    assert (
        "listen 443 ssl default_server;\n    server_name _;\n    ssl_reject_handshake on;" in text
    )


def test_https_site_redirects_port_80_and_sends_hsts():
    text = render_nginx_https_conf(DeploySettings())
    plain, tls = server_blocks(text)
    assert "listen 80;" in plain and "return 301 https://$host$request_uri;" in plain
    assert "proxy_pass" not in plain  # nothing is served over plain HTTP
    assert "listen 443 ssl" in tls
    assert f"ssl_certificate {TLS_CERTIFICATE};" in tls
    assert f"ssl_certificate_key {TLS_CERTIFICATE_KEY};" in tls
    # add_header in a location drops the server's: every location serving files repeats it.
    assert tls.count('add_header Strict-Transport-Security "max-age=31536000" always;') == 2
    assert "proxy_hide_header Strict-Transport-Security;" in tls  # one header, not two


def test_plain_site_is_still_there_for_a_first_try():
    (block,) = server_blocks(render_nginx_conf(DeploySettings()))
    assert "listen 80;" in block and "proxy_pass http://" in block and "301" not in block


@pytest.mark.parametrize(
    "uri",
    ["/auth/reset/eyJ1.abc-_x?next=1", "/auth/confirm/eyJ2.def", "/auth/confirm/resend", "/"],
)
def test_nginx_masks_the_same_paths_as_the_app(uri):
    """The nginx regexes (PCRE) read as Python's re: same masking as the app's log."""
    for regex, text in ((TOKEN_PATH_REGEX, uri), (TOKEN_URL_REGEX, "https://x.example" + uri)):
        match = re.match(regex.lstrip("~"), text)
        nginx = f"{match.group(1)}[token]{match.group(2)}" if match else text
        assert nginx == mask_tokens(text)


def nginx_check(tmp_path, site: str) -> subprocess.CompletedProcess:
    conf = write_nginx_conf(tmp_path, site, "example.com")
    return subprocess.run(
        [NGINX_BINARY, "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.skipif(not NGINX_BINARY, reason="no nginx binary (set NGINX_BIN=/path/to/nginx)")
@pytest.mark.parametrize("render", [render_nginx_conf, render_nginx_https_conf])
def test_nginx_accepts_the_rendered_site(tmp_path, render):
    result = nginx_check(tmp_path, render(DeploySettings()))
    assert result.returncode == 0, result.stderr
    assert "emerg" not in result.stderr
