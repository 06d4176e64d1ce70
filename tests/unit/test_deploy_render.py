"""The rendered configs: pure functions of the deploy settings."""

import configparser
import re

import pytest

from project.deploy.files import config_files
from project.deploy.gunicorn import GRACEFUL_TIMEOUT, render_gunicorn_conf
from project.deploy.settings import DeploySettings, default_workers, merged, save
from project.deploy.supervisor import render_environment, render_supervisord_conf


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    return DeploySettings(port=8123, workers=4, environment={"APP_DATABASE_URL": "sqlite:///x"})


def gunicorn_values(text: str) -> dict:
    namespace: dict = {}
    exec(compile(text, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    return namespace


def test_gunicorn_conf_has_the_production_settings(settings):
    conf = gunicorn_values(render_gunicorn_conf(settings))
    assert conf["bind"] == ["127.0.0.1:8123"]
    assert conf["workers"] == 4
    assert conf["preload_app"] is False
    assert conf["worker_tmp_dir"] == "/dev/shm"
    assert conf["control_socket_disable"] is True
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["pidfile"] == str(settings.run_dir / "gunicorn.pid")
    assert conf["accesslog"] == str(settings.log_dir / "access.log")
    assert conf["errorlog"] == str(settings.log_dir / "error.log")


def test_ipv6_bind_is_bracketed(settings):
    conf = gunicorn_values(render_gunicorn_conf(DeploySettings(host="::1", port=9000)))
    assert conf["bind"] == ["[::1]:9000"]


def test_supervisord_outwaits_gunicorn_and_kills_the_group(settings):
    parser = configparser.RawConfigParser()
    parser.read_string(render_supervisord_conf(settings))
    web = parser["program:web"]
    assert int(web["stopwaitsecs"]) >= GRACEFUL_TIMEOUT + 5
    assert web["stopasgroup"] == "true" and web["killasgroup"] == "true"
    assert web["autorestart"] == "true"
    assert 'APP_CONFIG="prod"' in web["environment"]
    assert 'APP_DATABASE_URL="sqlite:///x"' in web["environment"]
    assert parser["unix_http_server"]["file"] == str(settings.supervisor_socket)
    assert parser["unix_http_server"]["chmod"] == "0700"
    assert parser["supervisorctl"]["serverurl"] == f"unix://{settings.supervisor_socket}"
    assert parser["supervisord"]["pidfile"].startswith(str(settings.run_dir))


def test_environment_values_are_escaped_for_supervisord():
    rendered = render_environment({"APP_DATABASE_URL": 'postgresql://u:p%"w@h/db'})
    assert rendered.startswith('APP_DATABASE_URL="postgresql://u:p%%\\"w@h/db"')


def test_every_path_is_absolute(settings):
    for path, text in config_files(settings).items():
        assert path.is_absolute()
        for found in re.findall(r"(?:file|pidfile|logfile|directory|chdir) ?= ?'?(\S+)", text):
            assert found.lstrip("'\"").startswith(("/", "unix:///")), (path, found)


def test_flags_persist_until_changed(settings):
    first = merged({"port": 9001, "workers": 3, "config_name": "prod"}, environ={})
    save(first)
    again = merged({"host": None, "port": None}, environ={})
    assert (again.port, again.workers, again.config_name) == (9001, 3, "prod")
    changed = merged({"workers": 5}, environ={})
    assert (changed.port, changed.workers) == (9001, 5)


def test_default_workers_is_two_per_cpu_plus_one(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_workers() == 5


def test_captures_app_environment_but_not_config_or_var(settings):
    result = merged(
        {},
        environ={
            "APP_DATABASE_URL": "postgresql://h/db",
            "APP_CONFIG": "dev",
            "APP_VAR_DIR": "/elsewhere",
            "HOME": "/root",
        },
    )
    assert result.environment == {"APP_DATABASE_URL": "postgresql://h/db"}
    assert result.config_name == "dev"


def test_worker_program_stops_gracefully_within_supervisords_wait(settings):
    """huey finishes running jobs on SIGINT only (TERM cuts them short), and must give up
    before supervisord's SIGKILL so it can keep a cut-short job as failed."""
    from project.deploy.supervisor import WORKER_SHUTDOWN_TIMEOUT

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(render_supervisord_conf(settings))
    worker = parser["program:worker"]
    assert worker["command"].endswith(
        f"-m project.jobs.worker --shutdown-timeout {WORKER_SHUTDOWN_TIMEOUT}"
    )
    assert worker["stopsignal"] == "INT"
    assert int(worker["stopwaitsecs"]) > WORKER_SHUTDOWN_TIMEOUT
    # Same store, same app; the metrics folder too, which gunicorn's master gives its own
    # workers itself (raw_env): it is in the job worker's environment only.
    metrics_dir = {"PROMETHEUS_MULTIPROC_DIR": str(settings.layout.metrics_dir)}
    assert parser["program:web"]["environment"] == render_environment(settings.app_environment())
    assert worker["environment"] == render_environment(
        {**settings.app_environment(), **metrics_dir}
    )
    assert "PROMETHEUS_MULTIPROC_DIR" not in parser["program:rotate-logs"]["environment"]
    assert [s for s in parser.sections() if s.startswith("program:")] == [
        "program:web",
        "program:worker",
        "program:rotate-logs",
    ]
