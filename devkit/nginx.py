"""A private nginx for the tests: the rendered site example with a test certificate, its logs,
pid and temp files in one folder, never the system's nginx service."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devkit.tls import certificate, new_key, write_pair
from project.deploy.nginx import TLS_CERTIFICATE, TLS_CERTIFICATE_KEY

# Not NGINX: nginx itself reads that variable (inherited sockets). .ci/run unpacks Debian's
# package and sets NGINX_BIN when no nginx is installed.
NGINX_BINARY = os.environ.get("NGINX_BIN") or shutil.which("nginx")

TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def write_nginx_conf(folder: Path, site: str, server_name: str, main: str = "") -> Path:
    """Write `site` (a rendered example) and an nginx.conf including it into `folder`, with a
    self-signed certificate for `server_name`; `main` adds lines to the main context.
    Returns the nginx.conf path."""
    key = new_key()
    cert = certificate(server_name, key, server_name, key, ca=False, hosts=(server_name,))
    cert_path, key_path = write_pair(folder, "site", cert, key)
    site = site.replace(TLS_CERTIFICATE, cert_path).replace(TLS_CERTIFICATE_KEY, key_path)
    site = site.replace("/var/log/nginx/", f"{folder}/")
    (folder / "site.conf").write_text(site)
    temp_paths = "".join(f"    {kind}_temp_path {folder}/{kind};\n" for kind in TEMP_KINDS)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{main}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {folder}/site.conf;\n}}\n"
    )
    return conf
