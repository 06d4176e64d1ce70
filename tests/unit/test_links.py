"""F-01: links in mails come from PUBLIC_URL only, and only its host may be named.

The attack: ask a password reset for the victim with a forged Host (or, behind nginx, a forged
X-Forwarded-Host), so that the victim is mailed a link to the attacker's site.
"""

import pytest

from devkit.mail import LINK, body
from project.app import create_app
from project.config import ConfigError, load_config
from project.deploy import nginx, public_url
from project.deploy.checks import check_public_url
from project.deploy.settings import DeploySettings
from project.extensions import db
from project.links import external_url
from project.migrate import apply_pending

VICTIM = "victim@example.com"
PUBLIC = "https://app.example.com"


@pytest.fixture
def site(database_url, tmp_path, monkeypatch, smtp):
    """The test app built from the environment (PUBLIC_URL: the test config's, unless given)."""

    def build(**env):
        monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("APP_DATABASE_URL", database_url)
        for key, value in env.items():
            monkeypatch.setenv(f"APP_{key}", value)
        app = create_app("test", overrides={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})
        with app.app_context():
            apply_pending()
            from project.auth.service import create_user

            create_user(VICTIM, "Victim-Passw0rd-xyz")
            db.close()
        return app

    return build


def forgot(app, **headers):
    return app.test_client().post("/auth/forgot", data={"email": VICTIM}, headers=headers)


def mailed_links(smtp) -> list[str]:
    return [link for message in smtp.inbox.wait_for(1) for link in LINK.findall(body(message))]


def test_forged_host_is_refused_and_nothing_is_mailed(site, smtp):
    app = site()
    response = forgot(app, Host="evil.example")
    assert response.status_code == 400
    assert forgot(app, Host="localhost").status_code == 302
    links = mailed_links(smtp)
    assert len(smtp.inbox.messages) == 1
    assert links[0].startswith("http://localhost/auth/reset/")


def test_forged_x_forwarded_host_behind_a_proxy_does_not_reach_the_link(site, smtp):
    app = site(PROXY_HOPS="1")
    headers = {
        "Host": "localhost",  # what nginx forwards once server_name matched
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
    }
    assert forgot(app, **headers).status_code == 302
    [link] = mailed_links(smtp)
    assert link.startswith("http://localhost/auth/reset/")


def test_an_extra_trusted_name_is_served_but_links_keep_the_public_one(site, smtp):
    app = site(PUBLIC_URL=PUBLIC, EXTRA_TRUSTED_HOSTS="www.example.com, Other.Example")
    assert app.config["TRUSTED_HOSTS"] == ["app.example.com", "www.example.com", "other.example"]
    assert forgot(app, Host="www.example.com").status_code == 302
    [link] = mailed_links(smtp)
    assert link.startswith(PUBLIC + "/")


def test_trailing_slash_redirect_cannot_be_pointed_elsewhere(site):
    app = site(PUBLIC_URL=PUBLIC)
    client = app.test_client()
    assert client.get("/notes", headers={"Host": "evil.example"}).status_code == 400
    redirect = client.get("/notes", headers={"Host": "app.example.com"})
    assert redirect.status_code == 308 and "evil" not in redirect.headers["Location"]


def test_links_need_no_request(app):
    with app.app_context():
        assert external_url("auth.reset_password", token="abc") == "http://localhost/auth/reset/abc"


def test_link_ignores_the_request_host(app):
    app.config["PUBLIC_URL"] = PUBLIC
    with app.test_request_context(base_url="http://evil.example"):
        assert external_url("main.index") == PUBLIC + "/"


# --- the setting itself -------------------------------------------------------------------


def prod(tmp_path, monkeypatch, **env):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    return load_config("prod", environ={"APP_SECRET_KEY": "k" * 40, **env})


def test_prod_refuses_to_start_without_a_public_url(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="needs APP_PUBLIC_URL"):
        prod(tmp_path, monkeypatch)


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "ftp://example.com",
        "https://example.com/app",
        "https://user@example.com",
        "https://example.com?x=1",
        "https://example.com#top",
        "https://exa;mple.com",
        "https://example.com:0",
        "https://example.com:70000",
    ],
)
def test_public_url_must_be_a_scheme_and_a_host(tmp_path, monkeypatch, value):
    with pytest.raises(ConfigError, match="must be a scheme and a host"):
        prod(tmp_path, monkeypatch, APP_PUBLIC_URL=value)


def test_public_url_is_normalised_and_names_the_trusted_hosts(tmp_path, monkeypatch):
    config = prod(tmp_path, monkeypatch, APP_PUBLIC_URL="https://App.Example.com/")
    assert config["PUBLIC_URL"] == "https://app.example.com"
    assert config["TRUSTED_HOSTS"] == ["app.example.com"]


@pytest.mark.parametrize("value", ["https://example.com:1", "https://example.com:65535"])
def test_any_real_port_is_accepted(tmp_path, monkeypatch, value):
    assert prod(tmp_path, monkeypatch, APP_PUBLIC_URL=value)["PUBLIC_URL"] == value


def test_an_ipv6_public_url_leaves_host_checking_off(tmp_path, monkeypatch):
    """werkzeug cannot match an IPv6 literal: no TRUSTED_HOSTS rather than refusing all."""
    config = prod(tmp_path, monkeypatch, APP_PUBLIC_URL="http://[2001:db8::1]:8000")
    assert config["TRUSTED_HOSTS"] is None


def test_a_loopback_public_url_also_trusts_the_loopback_names(tmp_path, monkeypatch):
    config = prod(tmp_path, monkeypatch, APP_PUBLIC_URL="http://127.0.0.1:8000")
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


# --- what the bundle passes, refuses and checks ---------------------------------------------


def bundle(host="127.0.0.1", port=8123, **env) -> DeploySettings:
    return DeploySettings(host=host, port=port, environment={f"APP_{k}": v for k, v in env.items()})


def test_a_loopback_bundle_passes_its_bound_url_to_the_workers():
    assert bundle().app_environment()["APP_PUBLIC_URL"] == "http://127.0.0.1:8123"
    assert bundle(host="::1").app_environment()["APP_PUBLIC_URL"] == "http://[::1]:8123"
    assert public_url.errors(bundle()) == []


@pytest.mark.parametrize(
    "settings, why",
    [
        (bundle(host="0.0.0.0"), "gunicorn binds 0.0.0.0"),
        (bundle(host="10.0.0.5"), "gunicorn binds 10.0.0.5"),
        (bundle(PROXY_HOPS="1"), "APP_PROXY_HOPS=1"),
    ],
)
def test_a_bundle_reachable_from_outside_gets_no_default_and_is_refused(settings, why):
    assert "APP_PUBLIC_URL" not in settings.app_environment()
    [problem] = public_url.errors(settings)
    assert "APP_PUBLIC_URL is not set" in problem and why in problem
    assert [level for level, _ in check_public_url(settings)] == ["error"]


def test_a_given_public_url_is_passed_as_is():
    settings = bundle(host="0.0.0.0", PUBLIC_URL=PUBLIC)
    assert settings.app_environment()["APP_PUBLIC_URL"] == PUBLIC
    assert list(check_public_url(settings)) == [("ok", f"links in mails point to {PUBLIC}")]


@pytest.mark.parametrize(
    "settings, message",
    [
        (bundle(PROXY_HOPS="1", PUBLIC_URL="http://127.0.0.1:8123"), "is a loopback address"),
        (bundle(host="0.0.0.0", PUBLIC_URL="http://localhost:8123"), "is a loopback address"),
        (bundle(PUBLIC_URL="http://127.0.0.1:9999"), "does not match the bound"),
    ],
)
def test_check_reports_a_mismatched_public_url_as_an_error(settings, message):
    [(level, text)] = list(check_public_url(settings))
    assert level == "error" and message in text
    assert public_url.errors(settings) == [text]
    if settings.reachable_from_outside:  # says why the site is reachable by another name
        assert public_url.exposure(settings) in text


def test_check_warns_when_a_public_name_meets_no_proxy_setting():
    [(level, text)] = list(check_public_url(bundle(PUBLIC_URL=PUBLIC)))
    assert level == "warning" and "if a proxy forwards to it, set APP_PROXY_HOPS=1" in text


def test_an_empty_bind_host_reads_as_every_address():
    assert public_url.exposure(bundle(host="")) == (
        "gunicorn binds * (reachable from other machines)"
    )


def test_nginx_example_names_the_public_host_and_drops_other_hosts():
    conf = nginx.render_nginx_conf(bundle(PUBLIC_URL=PUBLIC, PROXY_HOPS="1"))
    catch_all = conf.split("listen 80 default_server;")[1].split("}")[0]
    assert "server_name _;" in catch_all and "return 444;" in catch_all
    assert "server_name app.example.com;" in conf
    assert 'proxy_set_header X-Forwarded-Host "";' in conf


def test_nginx_example_without_a_public_url_keeps_a_placeholder():
    assert "server_name example.com;" in nginx.render_nginx_conf(bundle())
