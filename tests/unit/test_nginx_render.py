"""The nginx example: password posts are rate-limited before they reach the app."""

import re

import pytest

from project.deploy.nginx import render_nginx_conf
from project.deploy.settings import DeploySettings, merged


@pytest.fixture
def conf(tmp_path) -> str:
    settings: DeploySettings = merged({}, {"APP_VAR_DIR": str(tmp_path / "var")})
    return render_nginx_conf(settings)


def location(conf: str, path: str) -> str:
    match = re.search(r"location " + re.escape(path) + r" \{(.*?)\n    \}", conf, re.S)
    assert match, f"no location {path}"
    return match.group(1)


def test_braces_balance(conf):
    assert conf.count("{") == conf.count("}")


@pytest.mark.parametrize("path", ["/auth/login", "/api/v1/tokens"])
def test_password_posts_are_limited_per_address(conf, path):
    zone = re.search(r"limit_req_zone \$(\w+) zone=(\w+):10m rate=10r/m;", conf)
    assert zone, "no limit_req_zone"
    key, name = zone.groups()
    # The key is the client address for POST and empty (not limited) for anything else.
    mapping = re.search(r"map \$request_method \$" + key + r" \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"POST\s+\$binary_remote_addr;", mapping)
    assert re.search(r'default\s+"";', mapping)
    block = location(conf, "= " + path)
    assert f"limit_req zone={name} burst=20 nodelay;" in block
    assert "limit_req_status 429;" in block
    # Still proxied exactly like every other page.
    assert block.split("limit_req_status 429;")[1].strip() == location(conf, "/").strip()


def test_other_pages_are_not_limited(conf):
    assert "limit_req " not in location(conf, "/")
    assert "limit_req " not in location(conf, "/static/")
