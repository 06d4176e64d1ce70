"""Browser-test fixtures: a real gunicorn server, headless Debian Chromium, screenshots on failure.

`live_server` is the one fixture that knows how the site is started: today a gunicorn
subprocess (2 workers, test config, its own SQLite database under a temp folder); it is
meant to be swapped for the supervisord + gunicorn bundle without touching the tests,
which only use its base URL.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from project.config import PROJECT_ROOT
from tests.helpers import answers, free_port, wait_until

SCREENSHOT_DIR = PROJECT_ROOT / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root here
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; missing is a skip on a developer machine and a failure in CI.

    The skip reason is printed in pytest's summary (`-ra` in pyproject.toml).
    """
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed: .ci/run should have installed it")
    pytest.skip("chromium not found (apt-get install chromium); browser tests skipped")


def migrate(database_url: str, var_dir: Path) -> None:
    """Apply the migrations once, in this process, before any worker starts."""
    from project import create_app
    from project.extensions import db
    from project.migrate import apply_pending

    app = create_app("test", {"DATABASE_URL": database_url, "VAR_DIR": str(var_dir)})
    with app.app_context():
        apply_pending()
        db.close()
    db.obj.close_all()


def gunicorn_command(port: int, log_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers=2",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",
        "--worker-tmp-dir=/dev/shm",
        f"--access-logfile={log_dir / 'access.log'}",
        f"--error-logfile={log_dir / 'error.log'}",
        "project.wsgi:app",
    ]


def stop(process: subprocess.Popen) -> None:
    """Graceful stop of the master and its workers (one process group); kill if it hangs."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Base URL of the site served by gunicorn; `.log_dir` holds its access and error logs."""
    root = tmp_path_factory.mktemp("live")
    var_dir, log_dir = root / "var", root / "log"
    log_dir.mkdir()
    database_url = f"sqlite:///{var_dir / 'data' / 'app.db'}"
    migrate(database_url, var_dir)
    port = free_port()
    env = {
        **os.environ,
        "APP_CONFIG": "test",
        "APP_VAR_DIR": str(var_dir),
        "APP_DATABASE_URL": database_url,
    }
    env.pop("TEST_DATABASE_URL", None)
    with open(log_dir / "stderr.log", "wb") as stderr:  # the child keeps its own copy
        process = subprocess.Popen(
            gunicorn_command(port, log_dir),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # master and workers in one group, stopped together
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: process.poll() is not None or answers(url + "/healthz"), timeout=30)
        assert process.poll() is None, (log_dir / "error.log").read_text()
        yield LiveServer(url, log_dir)
    finally:
        stop(process)


class LiveServer(str):
    """The base URL (a str), with the folder of the server's logs."""

    def __new__(cls, url: str, log_dir: Path):
        server = super().__new__(cls, url)
        server.log_dir = log_dir
        return server

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.iterdir()))


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server, request):
    """Factory of isolated browser contexts (separate cookie jars), screenshotted on failure."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(base_url=live_server, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshot_all(contexts, request.node.name)
    for context in contexts:
        context.close()


def screenshot_all(contexts, test_name: str) -> None:
    folder = SCREENSHOT_DIR / re.sub(r"[^\w.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages):
            path = folder / f"context{i}-page{j}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot: {path} ({page.url})", file=sys.stderr)
