"""Passkeys in Chromium with its virtual authenticator (DevTools WebAuthn domain) against the
real bundle: register one in settings, then answer the sign-in's second step with it. The site
is reached as http://localhost (browsers refuse an IP address as the WebAuthn site id)."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from devkit.browser import CHROMIUM_ARGS, register_and_log_in, watch_problems
from devkit.bundle import Bundle
from devkit.net import free_port

pytestmark = pytest.mark.browser

EMAIL = "key-walker@example.com"
PASSWORD = "violet-harbor-42"


@pytest.fixture(scope="module")
def localhost_site(tmp_path_factory):
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        "APP_PUBLIC_URL": url,
        "APP_SESSION_COOKIE_SECURE": "false",
        "APP_REMEMBER_COOKIE_SECURE": "false",
    }
    bundle = Bundle.create(tmp_path_factory.mktemp("passkeys"), port=port, env=env)
    try:
        bundle.start("--workers", "2")
        yield url
    finally:
        bundle.cleanup()


@pytest.fixture
def page(chromium_path, localhost_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=localhost_site)
        context.set_default_timeout(10_000)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": authenticator})
        yield page
        browser.close()


def test_register_a_passkey_and_sign_in_with_it(page):
    problems: list[str] = []
    watch_problems(page, problems)
    register_and_log_in(page, EMAIL, PASSWORD)

    page.goto("/account/two-factor")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("6-digit code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("link", name="Back to two-factor settings").click()

    page.get_by_label("Name of the new passkey").fill("Test laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Test laptop", exact=True)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/auth/two-factor$"))
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    assert problems == []
