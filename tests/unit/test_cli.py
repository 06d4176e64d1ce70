"""The ctl verbs' error handling, run as a user would: a subprocess of the click CLI."""

import pytest

from devkit.cli import run_cli


def ctl(*args, env_extra=None, stdin="", tmp_path=None):
    import os

    env = {**os.environ, **(env_extra or {})}
    env.pop("APP_CONFIG", None) if "APP_CONFIG" not in (env_extra or {}) else None
    return run_cli(*args, env=env, stdin=stdin)


def test_help_lists_every_verb():
    result = ctl("--help")
    assert result.returncode == 0
    for verb in ("dev", "migrate", "test", "create-user", "shell"):
        assert f"  {verb} " in result.stdout


def test_unknown_config_is_one_line_and_nonzero():
    result = ctl("dev", "--config", "nosuch")
    assert result.returncode != 0
    assert result.stderr == "error: unknown config 'nosuch'; choose one of: dev, test, prod\n"


def test_prod_with_dev_secret_refuses_clearly(tmp_path):
    result = ctl(
        "migrate",
        env_extra={"APP_CONFIG": "prod", "APP_SECRET_KEY": "dev", "APP_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "refuses the development secret key" in result.stderr


def test_dev_server_refuses_public_host_without_flag():
    result = ctl("dev", "--host", "0.0.0.0")
    assert result.returncode == 1
    assert "--allow-remote-debugger" in result.stderr


def test_migrate_then_create_user_and_duplicate(tmp_path):
    env = {"APP_VAR_DIR": str(tmp_path)}
    assert "applied: 001_initial" in ctl("migrate", env_extra=env).stdout
    assert ctl("migrate", env_extra=env).stdout == "database is up to date\n"
    created = ctl(
        "create-user",
        "Ann@Example.COM ",
        "--admin",
        "--password-stdin",
        env_extra=env,
        stdin="correct horse battery\n",
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.splitlines()[0] == "created admin ann@example.com"
    assert "two-factor" in created.stdout  # the admin policy is explained
    again = ctl(
        "create-user",
        "ann@example.com",
        "--password-stdin",
        env_extra=env,
        stdin="correct horse battery\n",
    )
    assert again.returncode == 1
    assert again.stderr == "error: a user with email 'ann@example.com' already exists\n"


def test_create_user_rejects_invalid_email(tmp_path):
    result = ctl(
        "create-user",
        "not-an-email",
        "--password-stdin",
        env_extra={"APP_VAR_DIR": str(tmp_path)},
        stdin="correct horse battery\n",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: invalid email address 'not-an-email'")


def test_migrate_applies_the_accounts_migration(tmp_path):
    result = ctl("migrate", env_extra={"APP_VAR_DIR": str(tmp_path)})
    assert result.stdout.startswith("applied: 001_initial, 002_accounts")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "error: password must have at least 8 characters\n"),
        ("", "error: password must have at least 8 characters\n"),
        ("x" * 129, "error: password must have at most 128 characters\n"),
        ("iloveyou1", "error: password is one of the most common passwords; choose another\n"),
    ],
)
def test_create_user_applies_the_password_rules(tmp_path, password, message):
    result = ctl(
        "create-user",
        "bob@example.com",
        "--password-stdin",
        env_extra={"APP_VAR_DIR": str(tmp_path)},
        stdin=password + "\n",
    )
    assert result.returncode == 1
    assert result.stderr == message
    assert password not in result.stdout or not password


def test_create_user_prompts_twice(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from project.cli import cli
    from project.extensions import db

    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("APP_CONFIG", raising=False)
    result = CliRunner().invoke(
        cli, ["create-user", "eve@example.com"], input="violet-harbor-42\nviolet-harbor-42\n"
    )
    db.obj.close_all()
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert "created user eve@example.com" in result.output
    assert "violet-harbor-42" not in result.output
