"""`scripts/ctl check` on a deliberately weak setup: one error line per problem, exit 1."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.skipif(os.geteuid() != 0, reason="the weak setup includes running as root")
def test_check_reports_each_weakness_once_and_fails(bundle):
    bundle.env["APP_SESSION_COOKIE_SECURE"] = "false"  # a one-off that gets saved
    bundle.ctl("gen-config", "--config", "test")  # test: the published development key
    del bundle.env["APP_SESSION_COOKIE_SECURE"]
    bundle.ctl("migrate")  # the saved config's database, created without ctl's umask
    (bundle.root / "var" / "data" / "test.db").chmod(0o644)
    result = bundle.ctl("check", check=False)
    errors = [line for line in result.stdout.splitlines() if line.startswith("error")]
    assert result.returncode == 1
    wanted = [
        "published development key",
        "other local users can read runtime files",
        "running as root",
        "saved override APP_SESSION_COOKIE_SECURE=false",
    ]
    assert len(errors) == len(wanted), result.stdout
    for line, words in zip(errors, wanted, strict=True):
        assert words in line, line
    assert "saved environment: APP_SESSION_COOKIE_SECURE=false" in result.stdout
    # Dropping the override removes exactly its error.
    bundle.ctl("gen-config", "--unset-env", "APP_SESSION_COOKIE_SECURE")
    again = bundle.ctl("check", check=False).stdout
    assert "saved override" not in again and "saved environment: none" in again
