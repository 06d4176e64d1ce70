"""Playwright helpers for the browser tests."""

from __future__ import annotations

# Debian's Chromium, headless, as root here, with nothing phoning home during a test.
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root here
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def watch_csp(page, violations: list) -> None:
    """Collect CSP violations (reported on the console) and script errors."""

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            violations.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: violations.append(str(exc)))


def fill_registration(page, email: str, password: str) -> None:
    """Open the register page and submit it."""
    page.goto("/auth/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Register").click()


def fill_login(page, email: str, password: str, remember: bool = False) -> None:
    """Submit the login form of the page shown."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Remember me on this device").check()
    page.get_by_role("button", name="Log in").click()
