"""The account journey in headless Chromium against gunicorn (see conftest.live_server)."""

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import fill_login, fill_registration, watch_csp

pytestmark = pytest.mark.browser

EMAIL = "walker@example.com"
PASSWORD = "violet-harbor-42"
NEW_PASSWORD = "amber-canyon-77"


def register(page) -> None:
    fill_registration(page, EMAIL, PASSWORD)


def log_in(page, password: str, remember: bool) -> None:
    fill_login(page, EMAIL, password, remember)


def cookie(context, name):
    return next((c for c in context.cookies() if c["name"] == name), None)


def test_register_login_remember_forbidden_and_password_change(new_context, live_server):
    violations = []
    first = new_context()
    page = first.new_page()
    watch_csp(page, violations)

    register(page)  # the same answer for a taken address: no session, a message sent
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_text(f"We sent a message to {EMAIL}")).to_be_visible()
    log_in(page, PASSWORD, remember=False)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator(".nav-user")).to_have_text(EMAIL)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()

    page.goto("/account")  # protected: sent to log in, then brought back
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2Faccount$"))
    log_in(page, PASSWORD, remember=True)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    remember = cookie(first, "remember_token")
    assert remember and remember["httpOnly"] and remember["sameSite"] == "Lax"
    assert cookie(first, "session")["httpOnly"]

    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()

    second = new_context()
    other = second.new_page()
    other.goto("/auth/login")
    log_in(other, PASSWORD, remember=False)
    expect(other).to_have_url(re.compile(r"/account$"))

    page.goto("/account/settings")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()

    other.goto("/account")  # the other browser's session ended with the password change
    expect(other).to_have_url(re.compile(r"/auth/login\?next="))

    stale = new_context()  # a copy of the remember cookie from before the change
    stale.add_cookies([{**remember, "expires": -1}])
    stale_page = stale.new_page()
    stale_page.goto("/account")
    expect(stale_page).to_have_url(re.compile(r"/auth/login"))

    page.goto("/account")  # this browser stays logged in
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    assert violations == []
    logs = live_server.logs()
    assert PASSWORD not in logs and NEW_PASSWORD not in logs


def test_wrong_password_keeps_no_value_and_pages_satisfy_the_csp(new_context):
    violations = []
    page = new_context().new_page()
    watch_csp(page, violations)
    for path in ("/", "/auth/register", "/auth/login"):
        response = page.goto(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    log_in(page, "not-the-password-1", remember=False)
    expect(page.get_by_text("Invalid email or password.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_value("")
    assert violations == []
