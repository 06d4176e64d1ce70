"""axe-core on every main page, at desktop and phone sizes, for each kind of visitor: no
violations (issue 23). The contexts bypass the CSP so that the test can inject axe; the CSP
itself is checked by the other browser tests, which do not bypass it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import LABELS, axe_violations, fill_login

pytestmark = pytest.mark.browser

PASSWORD = "violet-harbor-42"
USER = "axe-user@example.com"
ADMIN = "axe-admin@example.com"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# The error page is /nope (a 404); the API docs page is checked once Swagger UI has drawn it.
ANONYMOUS_PAGES = ["/", "/auth/login", "/auth/register", "/nope", "/api/v1/docs"]
USER_PAGES = ["/account", "/account/settings", "/notes/", "/nope"]
ADMIN_PAGES = ["/admin/users"]


@pytest.fixture(scope="module", autouse=True)
def admins_without_second_factor():
    """The admin page is checked here, not the enrolment it waits behind; autouse: set before
    the server starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_REQUIRE_TWO_FACTOR_FOR_ADMINS", "false")
        yield


@pytest.fixture(scope="module")
def accounts(live_server):
    for email, extra in ((USER, ()), (ADMIN, ("--admin",))):
        ctl = live_server.bundle.ctl
        ctl("create-user", *extra, "--password-stdin", email, stdin=PASSWORD + "\n")


def visitor(new_context, viewport: dict, email: str | None = None, locale: str = "en-US"):
    page = new_context(viewport=viewport, bypass_csp=True, locale=locale).new_page()
    if email:
        page.goto("/auth/login")
        fill_login(page, email, PASSWORD, labels=LABELS[locale])
        expect(page).to_have_url(re.compile(r"/account$"))
    return page


def check(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if path == "/api/v1/docs":
        expect(page.locator(".opblock").first).to_be_visible()
    return [f"{path}: {line}" for line in axe_violations(page)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_no_axe_violations_on_the_main_pages(new_context, accounts, size):
    viewport = VIEWPORTS[size]
    user = visitor(new_context, viewport, USER)
    user.goto("/notes/")
    user.get_by_label("Title").fill(f"A note to check ({size})")  # a list with items in it
    user.get_by_role("button", name="Add note").click()
    expect(user.get_by_role("heading", name=f"A note to check ({size})")).to_be_visible()
    found = []
    for page, paths in (
        (visitor(new_context, viewport), ANONYMOUS_PAGES),
        (user, USER_PAGES),
        (visitor(new_context, viewport, ADMIN), ADMIN_PAGES),
    ):
        for path in paths:
            found += check(page, path)
    assert found == [], "\n".join(found)


def test_no_axe_violations_in_chinese(new_context, accounts):
    """The same pages for a Chinese browser (Accept-Language): lang attributes, labels and
    names in the other language (desktop only: the layout is checked by test_pages_ux)."""
    viewport = VIEWPORTS["desktop"]
    found = []
    for page, paths in (
        (visitor(new_context, viewport, locale="zh-CN"), ANONYMOUS_PAGES),
        (visitor(new_context, viewport, USER, "zh-CN"), USER_PAGES),
        (visitor(new_context, viewport, ADMIN, "zh-CN"), ADMIN_PAGES),
    ):
        for path in paths:
            found += check(page, path)
    assert found == [], "\n".join(found)
