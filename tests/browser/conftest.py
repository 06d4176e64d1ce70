"""Browser-test fixtures: the real bundle, headless Debian Chromium, screenshots on failure.

`live_server` is the one fixture that knows how the site is started: `scripts/ctl start` of a
temp copy of the project (supervisord + gunicorn, prod config, its own SQLite database); the
tests only use its base URL and logs.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from devkit.browser import CHROMIUM_ARGS, SCREENSHOT_DIR
from devkit.bundle import Bundle
from devkit.services import required_tool


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium: a skip on a developer machine, a failure in CI."""
    return required_tool("chromium", "chromium")


# The bundle's own: a test must not point it at another folder or database.
OWN = {"APP_CONFIG", "APP_VAR_DIR", "APP_DATABASE_URL"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Base URL of the site served by the real bundle (supervisord + gunicorn, prod config)
    from a temp copy of the project; `.logs()` returns everything it logged."""
    # APP_* set by a test module (e.g. APP_MAIL_SERVER for its SMTP server) reach the site.
    passed = {k: v for k, v in os.environ.items() if k.startswith("APP_") and k not in OWN}
    bundle = Bundle.create(
        tmp_path_factory.mktemp("live"),
        # Plain http on 127.0.0.1: the only case where prod may send cookies without Secure.
        env={**passed, "APP_SESSION_COOKIE_SECURE": "false", "APP_REMEMBER_COOKIE_SECURE": "false"},
    )
    try:
        bundle.start("--workers", "2")
        yield LiveServer(bundle.url, bundle.root / "var" / "log", bundle)
    finally:
        bundle.cleanup()


class LiveServer(str):
    """The base URL (a str), with the folder of the server's logs and the bundle (for ctl)."""

    def __new__(cls, url: str, log_dir: Path, bundle: Bundle | None = None):
        server = super().__new__(cls, url)
        server.log_dir = log_dir
        server.bundle = bundle
        return server

    def logs(self) -> str:
        files = sorted(p for p in self.log_dir.iterdir() if p.is_file())
        return "\n".join(p.read_text(errors="replace") for p in files)


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
