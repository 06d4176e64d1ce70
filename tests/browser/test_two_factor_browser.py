"""Two-factor sign-in in Chromium against the real bundle: enrol by reading the secret from
the page, sign out and in with a code, then with a recovery code; no console errors, no CSP
violations."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from devkit.browser import fill_login, register_and_log_in, watch_problems

pytestmark = pytest.mark.browser

EMAIL = "otp-walker@example.com"
PASSWORD = "violet-harbor-42"


def log_in(page) -> None:
    page.goto("/auth/login")
    fill_login(page, EMAIL, PASSWORD)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()


def test_enrol_sign_in_with_a_code_then_with_a_recovery_code(new_context):
    page = new_context().new_page()
    problems: list[str] = []
    watch_problems(page, problems)
    register_and_log_in(page, EMAIL, PASSWORD)

    page.goto("/account/settings")
    page.get_by_role("link", name="Two-factor settings").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    # The current step's code: it stays valid (as one step of drift) if a step boundary
    # passes before the server checks it, where the previous step's code would not.
    page.get_by_label("6-digit code from your app").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    # all_inner_texts does not wait: the click returns once the next page starts loading.
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()

    log_out(page)
    log_in(page)
    expect(page).to_have_url(re.compile(r"/auth/two-factor$"))
    # The next step's code: later than the step enrolment used (a code is accepted once and
    # only for a later step), and within the server's one step of drift.
    page.get_by_label("Code from your app or a recovery code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account$"))

    log_out(page)
    log_in(page)
    page.get_by_label("Code from your app or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_text("You used a recovery code; 9 left")).to_be_visible()
    assert problems == []
