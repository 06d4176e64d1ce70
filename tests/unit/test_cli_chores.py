"""Operator verbs as a user runs them: users, set-password, set-role, unlock; grouped help;
one-line errors for bad flags."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from devkit.cli import run_cli
from project.config import PROJECT_ROOT

PASSWORD = "violet-harbor-42"


def ctl(*args, tmp_path, stdin=""):
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env["APP_VAR_DIR"] = str(tmp_path)
    return run_cli(*args, env=env, stdin=stdin)


@pytest.fixture
def account(tmp_path):
    made = ctl(
        "create-user",
        "ann@example.com",
        "--password-stdin",
        tmp_path=tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    return "ann@example.com"


def in_app(tmp_path, code: str) -> str:
    """Run `code` with the dev app of `tmp_path` and the models imported; return its stdout."""
    script = (
        "import os\nfrom project.app import create_app\nfrom project.models import *\n"
        "from project.auth import throttle\n"
        f"app = create_app('dev', environ={{**os.environ, 'APP_VAR_DIR': {str(tmp_path)!r}}})\n"
        f"with app.app_context():\n" + "".join(f"    {line}\n" for line in code.splitlines())
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_users_lists_every_account(tmp_path, account):
    result = ctl("users", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "ann@example.com" in result.stdout and "user" in result.stdout
    assert result.stdout.strip().endswith("1 user(s)")


def test_set_password_applies_the_rules_and_ends_sessions(tmp_path, account):
    weak = ctl("set-password", account, "--password-stdin", tmp_path=tmp_path, stdin="short\n")
    assert (
        weak.returncode == 1 and weak.stderr.count("\n") == 1 and weak.stderr.startswith("error: ")
    )
    before = in_app(tmp_path, "print(User.get().session_token)")
    done = ctl(
        "set-password", account, "--password-stdin", tmp_path=tmp_path, stdin="amber-lantern-77\n"
    )
    assert done.returncode == 0, done.stderr
    after = in_app(
        tmp_path,
        "from project.passwords import verify_password\n"
        "u = User.get()\n"
        "print(u.session_token, verify_password(u.password_hash, 'amber-lantern-77'))",
    )
    token, verified = after.split()
    assert token != before and verified == "True"


def test_set_role_and_unknown_user_or_role(tmp_path, account):
    assert (
        ctl("set-role", account, "admin", tmp_path=tmp_path).stdout.strip()
        == f"{account} is now admin"
    )
    assert in_app(tmp_path, "print(User.get().role)") == "admin"
    missing = ctl("set-role", "nobody@example.com", "admin", tmp_path=tmp_path)
    assert (
        missing.returncode == 1
        and missing.stderr == "error: no user with the address 'nobody@example.com'\n"
    )
    assert ctl("set-role", account, "root", tmp_path=tmp_path).returncode == 2


def test_unlock_clears_only_that_accounts_failures(tmp_path, account):
    in_app(
        tmp_path,
        "for _ in range(3):\n"
        "    throttle.record_failure('ann@example.com', '10.0.0.1')\n"
        "    throttle.record_failure('bob@example.com', '10.0.0.2')",
    )
    assert ctl("unlock", account, tmp_path=tmp_path).returncode == 0
    left = in_app(tmp_path, "print(sorted({(f.scope, f.key) for f in LoginFailure.select()}))")
    assert "ann@example.com" not in left
    assert "bob@example.com" in left and "10.0.0.1" in left


def test_help_groups_verbs_in_sections_without_cut_lines(tmp_path):
    result = ctl("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for section in ("Run the site:", "Set up and administer:", "Operate:", "Develop:"):
        assert section in result.stdout
    listing = result.stdout.split("\n", 1)[1]  # after the usage line's "[ARGS]..."
    assert "..." not in listing and "…" not in listing
    for verb in ("set-password", "set-role", "unlock", "users"):
        assert f"  {verb} " in result.stdout
    assert "db-status" not in result.stdout


def test_start_help_hides_test_flags_and_shows_saved_values(tmp_path):
    (tmp_path / "deploy.json").write_text('{"port": 8400, "workers": 3}')
    result = ctl("start", "--help", tmp_path=tmp_path)
    text = " ".join(result.stdout.split())
    assert "--rotate-every" not in text
    assert "[saved: 8400]" in text and "[saved: 3]" in text


def test_logs_names_are_listed_cleanly_and_an_empty_log_says_so(tmp_path):
    bad = ctl("logs", "nosuch", tmp_path=tmp_path)
    assert bad.returncode == 2 and "rotate-\n" not in bad.stderr
    assert "NAME is one of: access, error, app" in ctl("logs", "--help", tmp_path=tmp_path).stdout
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "web.stdout.log").write_text("")
    empty = ctl("logs", "web", tmp_path=tmp_path)
    assert empty.returncode == 0 and empty.stdout == "(web.stdout.log is empty)\n"


def test_check_reports_an_uncreatable_log_path(tmp_path):
    result = ctl(
        "check", "--config", "dev", "--accesslog", "/proc/nope/access.log", tmp_path=tmp_path
    )
    assert result.returncode == 1
    assert any(
        line.startswith("error") and "/proc/nope/access.log" in line
        for line in result.stdout.splitlines()
    )


def test_start_with_an_uncreatable_log_path_is_one_line(tmp_path):
    result = ctl(
        "start",
        "--config",
        "dev",
        "--port",
        "1",
        "--accesslog",
        "/proc/nope/access.log",
        tmp_path=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "/proc/nope/access.log" in result.stderr


def test_dev_on_a_busy_port_is_the_same_one_line_error_as_start(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ctl("dev", "--port", str(port), tmp_path=tmp_path)
    assert result.returncode == 1
    busy_line = f"error: port {port} on 127.0.0.1 is already in use by another process"
    assert result.stderr == busy_line + ": stop it or pass --port\n"
