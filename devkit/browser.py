"""Playwright helpers for the browser tests."""

from __future__ import annotations

import re

from project.config import PROJECT_ROOT

# Screenshots of the browser tests (gitignored): failures and the pages checked for overflow.
SCREENSHOT_DIR = PROJECT_ROOT / "test-output"
# axe-core from npm (a dev dependency in package.json; scripts/build-assets installs it).
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# One line per violation: rule, impact, what it asks for, where.
AXE_RUN = """async () => (await axe.run()).violations.map(v =>
    `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""

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


def watch_problems(page, problems: list, requests: bool = False) -> None:
    """Collect console errors (CSP violations included) and script errors; with `requests`,
    failed requests and error answers too."""
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    if requests:
        page.on("requestfailed", lambda request: note_failed_request(request, problems))
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and problems.append(f"{response.status}: {response.url}")
            ),
        )


# The browser cancels what a page still loads (the favicon, say) when it navigates away:
# a reload or goto, not the server failing. Refused connections and broken answers still count.
CANCELLED_BY_NAVIGATION = "net::ERR_ABORTED"


def note_failed_request(request, problems: list) -> None:
    failure = request.failure
    if failure != CANCELLED_BY_NAVIGATION:
        problems.append(f"failed ({failure}): {request.url}")


# What the account forms' labels and buttons read, per browser locale (Accept-Language).
LABELS = {
    "en-US": {
        "email": "Email",
        "password": "Password",
        "repeat": "Repeat password",
        "register": "Register",
        "remember": "Remember me on this device",
        "log_in": "Log in",
    },
    "zh-CN": {
        "email": "邮箱",
        "password": "密码",
        "repeat": "再次输入密码",
        "register": "注册",
        "remember": "在此设备上记住我",
        "log_in": "登录",
    },
}


def fill_registration(page, email: str, password: str, labels: dict = LABELS["en-US"]) -> None:
    """Open the register page and submit it."""
    page.goto("/auth/register")
    page.get_by_label(labels["email"]).fill(email)
    page.get_by_label(labels["password"], exact=True).fill(password)
    page.get_by_label(labels["repeat"]).fill(password)
    page.get_by_role("button", name=labels["register"]).click()


def fill_login(
    page, email: str, password: str, remember: bool = False, labels: dict = LABELS["en-US"]
) -> None:
    """Submit the login form of the page shown."""
    page.get_by_label(labels["email"]).fill(email)
    page.get_by_label(labels["password"], exact=True).fill(password)
    if remember:
        page.get_by_label(labels["remember"]).check()
    page.get_by_role("button", name=labels["log_in"], exact=True).click()


def register_and_log_in(page, email: str, password: str) -> None:
    """Register an account, then log in with it (registering starts no session)."""
    fill_registration(page, email, password)
    page.wait_for_url(re.compile(r"/auth/login$"))
    fill_login(page, email, password)
    page.wait_for_url(re.compile(r"/account$"))


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page shown. The script is injected inline: the page's
    context must be made with bypass_csp=True (tests only; the site's CSP forbids it)."""
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run scripts/build-assets (npm ci)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(AXE_RUN)
