import os
import subprocess
import sys

import pytest

from project.app import create_app
from project.config import DEV_SECRET_KEY, PROJECT_ROOT, ConfigError, load_config

PUBLIC = {"APP_PUBLIC_URL": "https://example.com"}


def test_named_configs_are_chosen_by_name():
    assert load_config("dev", environ={})["DEBUG"] is True
    assert load_config("test", environ={})["TESTING"] is True
    prod = load_config("prod", environ={"APP_SECRET_KEY": "x" * 40, **PUBLIC})
    assert prod["DEBUG"] is False and prod["SESSION_COOKIE_SECURE"] is True


def test_app_config_environment_variable_chooses(monkeypatch):
    monkeypatch.setenv("APP_CONFIG", "test")
    assert load_config(None)["CONFIG_NAME"] == "test"


def test_unknown_name_is_an_error_naming_the_valid_ones():
    with pytest.raises(
        ConfigError, match="unknown config 'nosuch'; choose one of: dev, test, prod"
    ):
        load_config("nosuch", environ={})


def test_unknown_name_from_environment_is_an_error():
    with pytest.raises(ConfigError, match="'prdo'"):
        load_config(None, environ={"APP_CONFIG": "prdo"})


def test_prefixed_environment_overrides_with_types():
    settings = load_config(
        "dev",
        environ={"APP_DB_MAX_CONNECTIONS": "3", "APP_DEBUG": "false", "APP_LOG_LEVEL": "WARNING"},
    )
    assert settings["DB_MAX_CONNECTIONS"] == 3
    assert settings["DEBUG"] is False
    assert settings["LOG_LEVEL"] == "WARNING"


def test_bad_typed_override_is_a_clear_error():
    with pytest.raises(ConfigError, match="APP_DB_MAX_CONNECTIONS must be an integer"):
        load_config("dev", environ={"APP_DB_MAX_CONNECTIONS": "many"})


def test_each_config_has_its_own_embedded_database(tmp_path):
    """`scripts/ctl dev` on a server (debugger, published key) never opens prod's database."""
    environ = {
        "APP_VAR_DIR": str(tmp_path),
        "APP_SECRET_KEY": "k" * 40,
        "APP_PUBLIC_URL": "https://example.com",
    }
    urls = {
        name: load_config(name, environ=environ)["DATABASE_URL"] for name in ("dev", "test", "prod")
    }
    assert urls == {
        "dev": f"sqlite:///{tmp_path}/data/dev.db",
        "test": f"sqlite:///{tmp_path}/data/test.db",
        "prod": f"sqlite:///{tmp_path}/data/app.db",
    }


def test_wsgi_entry_without_app_config_serves_prod(tmp_path):
    """A bare `gunicorn project.wsgi:app` builds prod: no debugger, no development key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env["APP_VAR_DIR"] = str(tmp_path)
    env["APP_PUBLIC_URL"] = "https://example.com"
    probe = "from project.wsgi import app; print(app.config['CONFIG_NAME'], app.debug)"
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    refused = run()  # prod and no key anywhere: refuses instead of falling back to dev
    assert refused.returncode != 0 and "config 'prod' needs a secret key" in refused.stderr
    env["APP_SECRET_KEY"] = "k" * 40
    served = run()
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["prod", "False"]


@pytest.mark.parametrize("key", ["", "dev", DEV_SECRET_KEY, "short-key", "k" * 31])
def test_prod_refuses_missing_dev_or_weak_secret(key, tmp_path, monkeypatch):
    # Its own var/: the project's may hold a generated secret_key (a started copy's does).
    environ = {"APP_VAR_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="secret key"):
        load_config("prod", environ={**environ, "APP_SECRET_KEY": key} if key else environ)


def test_prod_accepts_a_secret_of_exactly_the_minimum_length(tmp_path, monkeypatch):
    """The threshold is pinned both ways (mutation report: 31 and 33 survived)."""
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    config = load_config("prod", environ={"APP_SECRET_KEY": "k" * 32, **PUBLIC})
    assert config["SECRET_KEY"] == "k" * 32


def test_prod_create_app_refuses_dev_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("APP_SECRET_KEY", "dev")
    with pytest.raises(ConfigError, match="refuses the development secret key"):
        create_app("prod")


def test_prod_reads_generated_secret_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("k" * 64 + "\n")
    environ = {"APP_VAR_DIR": str(tmp_path), **PUBLIC}
    assert load_config("prod", environ=environ)["SECRET_KEY"] == "k" * 64


def test_environment_secret_beats_file(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    (tmp_path / "secret_key").write_text("k" * 64)
    assert (
        load_config("prod", environ={"APP_SECRET_KEY": "e" * 40, **PUBLIC})["SECRET_KEY"]
        == "e" * 40
    )
