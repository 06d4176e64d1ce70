"""Forgot password → message → link → new password → logged in, in Chromium against gunicorn.

The server sends through an SMTP server running in this test process (aiosmtpd); the
settings reach gunicorn through the environment, as they would in production.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from devkit.browser import fill_login, fill_registration, watch_csp
from devkit.mail import LINK, Inbox, body, smtp_server

pytestmark = pytest.mark.browser

EMAIL = "forgetful@example.com"
PASSWORD = "violet-harbor-42"
NEW_PASSWORD = "amber-canyon-77"


@pytest.fixture(scope="module", autouse=True)
def inbox():
    """An SMTP server for the module's live server (autouse: started before it)."""
    with smtp_server() as controller, pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_MAIL_SERVER", "127.0.0.1")
        patch.setenv("APP_MAIL_PORT", str(controller.port))
        yield controller.inbox


def register_and_log_out(page) -> None:
    fill_registration(page, EMAIL, PASSWORD)
    expect(page.get_by_text(f"We sent a message to {EMAIL}")).to_be_visible()
    log_in(page, PASSWORD)
    expect(page.get_by_text("Please confirm your email address")).to_be_visible()
    page.get_by_role("button", name="Log out").click()


def log_in(page, password: str) -> None:
    page.goto("/auth/login")
    fill_login(page, EMAIL, password)


def reset_link(inbox: Inbox) -> str:
    message = next(m for m in reversed(inbox.wait_for(2)) if "Reset" in m["Subject"])
    assert message["To"] == EMAIL
    return urlsplit(LINK.findall(body(message))[0]).path


def test_forgot_password_to_logged_in(new_context, inbox):
    violations = []
    page = new_context().new_page()
    watch_csp(page, violations)
    register_and_log_out(page)
    other = new_context().new_page()  # a session elsewhere, which the reset must end
    log_in(other, PASSWORD)
    expect(other).to_have_url(re.compile(r"/account$"))

    page.goto("/auth/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()

    page.goto(reset_link(inbox))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_text("Password changed; you are logged in.")).to_be_visible()
    expect(page.locator(".nav-user")).to_have_text(EMAIL)
    # Following the link proved the address: no more banner.
    expect(page.get_by_text("Please confirm your email address")).to_have_count(0)

    other.goto("/account")
    expect(other).to_have_url(re.compile(r"/auth/login\?next="))
    page.goto(reset_link(inbox))  # used once: the link no longer works
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert violations == []
