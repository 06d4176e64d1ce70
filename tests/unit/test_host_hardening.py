"""Issue 16, host side: saved environment (F-20, F-21), local configs on the network (F-08),
root (F-24), the unix socket for nginx (F-14), private runtime files (F-06)."""

from __future__ import annotations

import configparser
import os
import stat

import pytest

from project.deploy import preflight, privacy, systemd
from project.deploy.errors import DeployError
from project.deploy.gunicorn import render_gunicorn_conf
from project.deploy.nginx import render_nginx_conf, render_nginx_https_conf
from project.deploy.settings import DeploySettings, describe_environment, merged, save
from project.deploy.supervisor import render_environment, render_supervisord_conf
from project.proxy import TrustedProxyFix


@pytest.fixture
def var(tmp_path):
    return tmp_path / "var"


def environ(var, **extra):
    return {"APP_VAR_DIR": str(var), **extra}


# --- F-20: what supervisord.conf cannot carry is refused with one line -------------------


@pytest.mark.parametrize("value", ["x\n[program:pwn]\ncommand=/bin/sh", "a\rb", "nul\0"])
def test_a_value_with_a_line_break_is_refused(var, value):
    with pytest.raises(DeployError, match=r"^APP_NOTE: the value contains a line break"):
        merged({}, environ(var, APP_NOTE=value))


@pytest.mark.parametrize("name", ["APP_lower", "APP_X-Y", "APP_", "APP_A B"])
def test_a_name_outside_app_upper_is_refused(var, name):
    with pytest.raises(DeployError, match="names must match APP_"):
        merged({}, environ(var, **{name: "1"}))


def test_a_hand_edited_saved_value_is_refused_too(var):
    save(DeploySettings(var_dir=str(var), environment={"APP_NOTE": "a\nb"}))
    with pytest.raises(DeployError, match="line break"):
        merged({}, environ(var))


def test_the_renderer_itself_never_writes_a_line_break():
    with pytest.raises(ValueError, match="line break"):
        render_environment({"APP_NOTE": "x\n[program:pwn]"})


# --- F-21: saved overrides are listed and can be dropped ----------------------------------


def test_unset_env_drops_one_saved_override(var):
    first = merged({}, environ(var, APP_SESSION_COOKIE_SECURE="false", APP_LOG_LEVEL="DEBUG"))
    save(first)
    later = merged({}, environ(var), unset_env=["APP_SESSION_COOKIE_SECURE"])
    assert later.environment == {"APP_LOG_LEVEL": "DEBUG"}
    save(later)
    assert merged({}, environ(var)).environment == {"APP_LOG_LEVEL": "DEBUG"}


def test_unset_env_of_an_unknown_name_says_what_is_saved(var):
    save(merged({}, environ(var, APP_LOG_LEVEL="DEBUG")))
    with pytest.raises(DeployError, match=r"no such saved variable \(saved: APP_LOG_LEVEL\)"):
        merged({}, environ(var), unset_env=["APP_DEBUG"])


def test_saved_overrides_are_described_with_secrets_hidden():
    env = {"APP_MAIL_PASSWORD": "s3cret", "APP_DATABASE_URL": "postgresql://u:pw@db/x"}
    env["APP_SESSION_COOKIE_SECURE"] = "false"
    text = describe_environment(env)
    assert "s3cret" not in text and "pw@" not in text
    assert text == "APP_DATABASE_URL=***, APP_MAIL_PASSWORD=***, APP_SESSION_COOKIE_SECURE=false"
    assert describe_environment({}) == "none"


# --- F-08: dev and test never serve the network -------------------------------------------


@pytest.mark.parametrize("config", ["dev", "test"])
@pytest.mark.parametrize("where", [{"host": "0.0.0.0"}, {"host": "10.0.0.5"}, {"bind": "unix"}])
def test_local_configs_refuse_a_network_bind(var, config, where):
    settings = DeploySettings(config_name=config, var_dir=str(var), **where)
    with pytest.raises(DeployError, match=f"config '{config}' .* must not serve"):
        preflight.refuse_local_config_on_network(settings)


def test_local_configs_on_loopback_start_with_a_loud_warning(var):
    settings = DeploySettings(config_name="test", var_dir=str(var))
    preflight.refuse_local_config_on_network(settings)  # allowed
    warnings = " ".join(preflight.start_warnings(settings))
    assert "config 'test' is for local work only" in warnings and "CSRF off" in warnings
    prod = DeploySettings(config_name="prod", var_dir=str(var), host="10.0.0.5")
    preflight.refuse_local_config_on_network(prod)


# --- F-24: root ----------------------------------------------------------------------------


def test_start_as_root_warns_naming_the_risk(var, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    (warning,) = preflight.start_warnings(DeploySettings(var_dir=str(var)))
    assert warning.startswith("running as root") and "every worker will run as root" in warning
    monkeypatch.setattr(os, "geteuid", lambda: 12345)
    assert preflight.start_warnings(DeploySettings(var_dir=str(var))) == []


def test_systemd_user_comes_from_the_effective_uid_not_user(var, monkeypatch):
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LOGNAME", "root")
    monkeypatch.setattr(os, "geteuid", lambda: 65534)
    unit = systemd.render_systemd_unit(DeploySettings(var_dir=str(var)))
    assert "User=nobody\n" in unit


# --- F-14: unix socket ----------------------------------------------------------------------


def gunicorn_values(text: str) -> dict:
    namespace: dict = {}
    exec(compile(text, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace


def test_unix_bind_renders_gunicorn_and_nginx_to_match(var):
    settings = DeploySettings(bind="unix", var_dir=str(var))
    socket = settings.layout.root / "sock" / "web.sock"
    conf = gunicorn_values(render_gunicorn_conf(settings))
    assert conf["bind"] == [f"unix:{socket}"] and conf["umask"] == 0
    for render in (render_nginx_conf, render_nginx_https_conf):
        assert f"server unix:{socket} fail_timeout=0;" in render(settings)
    assert settings.url == f"http://unix:{socket}:"


def test_tcp_loopback_stays_the_default(var):
    settings = DeploySettings(var_dir=str(var))
    conf = gunicorn_values(render_gunicorn_conf(settings))
    assert settings.bind == "tcp" and conf["bind"] == ["127.0.0.1:8000"] and "umask" not in conf


def test_socket_folder_admits_only_this_user_and_the_socket_group(tmp_path, monkeypatch):
    monkeypatch.setattr(preflight, "socket_gid", lambda name: os.getegid())
    settings = DeploySettings(bind="unix", var_dir=str(tmp_path / "var"))
    monkeypatch.setattr(type(settings), "layout", property(lambda self: fake_layout(tmp_path)))
    preflight.prepare_socket_dir(settings)
    folder = tmp_path / "sock"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o2750


def fake_layout(root):
    from project.deploy.layout import Layout

    return Layout(root, root / "var")


def test_unknown_socket_group_is_one_line():
    with pytest.raises(DeployError, match="--socket-group no-such-group: no such group"):
        preflight.socket_gid("no-such-group")


def forwarded(peers: str, remote_addr: str) -> str:
    seen = {}

    def app(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        return []

    environ = {"REMOTE_ADDR": remote_addr, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    TrustedProxyFix(app, hops=1, peers=peers)(environ, lambda *a: None)
    return seen["addr"]


def test_forwarded_headers_from_the_unix_socket_peer_only_when_configured():
    assert forwarded("127.0.0.1,::1,unix", "") == "203.0.113.9"  # nginx on the socket
    assert forwarded("127.0.0.1,::1", "") == ""
    assert forwarded("127.0.0.1,::1,unix", "10.0.0.7") == "10.0.0.7"  # anyone else: ignored


# --- F-06: umask 077 everywhere, and start repairs old modes --------------------------------


def test_supervisord_and_its_programs_run_with_umask_077(var):
    parser = configparser.RawConfigParser()
    parser.read_string(render_supervisord_conf(DeploySettings(var_dir=str(var))))
    assert parser.get("supervisord", "umask") == "077"


def test_make_private_repairs_what_an_older_version_left_readable(var):
    (var / "data").mkdir(parents=True)
    database = var / "data" / "app.db"
    database.write_text("x")
    database.chmod(0o644)
    (var / "data").chmod(0o755)
    var.chmod(0o755)  # whatever the umask of this run (scripts/ctl test runs with 077)
    assert {p.name for p, _ in privacy.exposed(var)} == {"var", "data", "app.db"}
    privacy.make_private(var)
    assert privacy.exposed(var) == []
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


# --- --log-group: the logs (only) readable by an operator-named group -----------------------


@pytest.fixture
def log_group():
    import grp

    try:
        return grp.getgrnam("www-data")
    except KeyError:
        pytest.skip("no www-data group to share the logs with")


def test_log_group_reads_the_logs_and_nothing_else(tmp_path, log_group, private_umask):
    from datetime import date

    from project.deploy import logrotate
    from project.deploy.checks import private_var_finding

    settings = DeploySettings(var_dir=str(tmp_path / "var"), log_group=log_group.gr_name)
    preflight.make_var_dirs(settings)
    (settings.layout.data_dir / "app.db").write_text("secret")
    access = settings.access_log_path
    assert stat.S_IMODE(access.stat().st_mode) == 0o640 and access.stat().st_gid == log_group.gr_gid
    assert stat.S_IMODE(settings.var.stat().st_mode) == 0o710
    assert private_var_finding(settings)[0] == "ok"
    assert stat.S_IMODE((settings.layout.data_dir / "app.db").stat().st_mode) == 0o600
    # Rotation: the dated file keeps the mode, the fresh live file gets it, gzip keeps it.
    access.write_text("GET / 200\n")
    (rotated,) = logrotate.rotate_logs(settings, date(2026, 1, 2), keep_days=14)
    assert stat.S_IMODE(rotated.stat().st_mode) == 0o640
    assert stat.S_IMODE(access.stat().st_mode) == 0o640 and access.stat().st_gid == log_group.gr_gid
    packed = logrotate.gzip_file(rotated)
    assert stat.S_IMODE(packed.stat().st_mode) == 0o640 and packed.stat().st_gid == log_group.gr_gid
    # Without the setting the same modes are an error: only the named group may read logs.
    assert private_var_finding(DeploySettings(var_dir=str(tmp_path / "var")))[0] == "error"
    access.chmod(0o644)  # other users: never
    assert private_var_finding(settings)[0] == "error"


@pytest.fixture
def private_umask():
    old = os.umask(privacy.UMASK)
    yield
    os.umask(old)


def test_gunicorn_trusts_forwarded_headers_from_the_same_peers_as_the_app(var):
    default = gunicorn_values(render_gunicorn_conf(DeploySettings(var_dir=str(var))))
    assert default["forwarded_allow_ips"] == "127.0.0.1,::1"
    balancer = DeploySettings(var_dir=str(var), environment={"APP_PROXY_PEERS": "10.0.0.5, unix"})
    assert gunicorn_values(render_gunicorn_conf(balancer))["forwarded_allow_ips"] == "10.0.0.5"


def test_a_group_this_user_is_not_in_is_one_line_saying_how_to_join(tmp_path, monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refuse)
    with pytest.raises(DeployError, match=r"--socket-group .*: .* may not give .*usermod -aG"):
        privacy.give_to_group(tmp_path, os.getegid(), "--socket-group")
