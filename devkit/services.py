"""Outside programs and servers the tests need: a skip on a developer machine, a failure in CI.

CI (.ci/run) installs the tools and runs PostgreSQL, so there a missing one is a broken setup,
never a reason to skip. The skip reason is printed in pytest's summary (`-ra`).
"""

from __future__ import annotations

import os
import shutil

import pytest

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def missing(reason: str, ci_hint: str) -> None:
    """Fail under CI (the setup is broken there), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}: {ci_hint}")
    pytest.skip(reason)


def required_tool(name: str, debian_package: str) -> str:
    """The path of the program `name`, installed from Debian's `debian_package`."""
    path = shutil.which(name)
    if not path:
        missing(
            f"{name} is not installed (apt-get install {debian_package})",
            ".ci/run should have installed it",
        )
    return path


def postgres_admin_connection():
    """An autocommit connection to the server's `postgres` database, to create and drop
    databases of a test's own."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        connection = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        missing(f"PostgreSQL does not answer at {PG_ADMIN_URL}: {exc}".strip(), "start it")
    connection.autocommit = True
    return connection


def postgres_url(database: str) -> str:
    """The URL of `database` on the admin connection's server."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
