"""The pages as a newcomer sees them (issue 23): styled errors, nothing wider than the screen,
features in the header, readable messages. Screenshots of each page at desktop and phone
sizes go to test-output/pages/ (gitignored) for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import fill_login, fill_registration, watch_csp
from tests.browser.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.browser

PASSWORD = "violet-harbor-42"
USER = "reader@example.com"
ADMIN = "keeper-with-a-rather-long-address@example.com"
LONG_TITLE = "W" * 130  # one unbroken word: it must wrap, not widen the page
LONG_URL = "https://example.com/" + "segment/" * 20
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DANGER = "rgb(207, 34, 46)"  # --color-danger

ANONYMOUS_PAGES = ["/", "/auth/login", "/auth/register", "/auth/forgot-password", "/nope"]
USER_PAGES = ["/", "/account", "/account/settings", "/notes/"]
ADMIN_PAGES = [*USER_PAGES, "/admin/users"]


@pytest.fixture(scope="module", autouse=True)
def admins_without_second_factor():
    """The admin pages themselves are under test here, not the enrolment they wait behind
    (tests/browser/test_two_factor_browser.py covers that); autouse: set before the server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_REQUIRE_TWO_FACTOR_FOR_ADMINS", "false")
        yield


@pytest.fixture(scope="module")
def accounts(live_server):
    """A user with a note too long for any screen, and an admin (made with the CLI)."""
    bundle = live_server.bundle
    for email, extra in ((USER, ()), (ADMIN, ("--admin",))):
        bundle.ctl("create-user", *extra, "--password-stdin", email, stdin=PASSWORD + "\n")
    return {"user": USER, "admin": ADMIN}


def logged_in(new_context, email: str, viewport: dict):
    context = new_context(viewport=viewport)
    page = context.new_page()
    page.goto("/auth/login")
    fill_login(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    return page


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def shoot(page, who: str, path: str, viewport: dict) -> None:
    name = re.sub(r"[^\w]+", "_", path).strip("_") or "home"
    folder = SCREENSHOT_DIR / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{who}-{name}-{viewport['width']}.png"), full_page=True)


def add_long_note(page) -> None:
    page.goto("/notes/")
    page.get_by_label("Title").fill(LONG_TITLE)
    page.get_by_label("Note", exact=True).fill(LONG_URL)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(LONG_TITLE).first).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_is_wider_than_the_screen(new_context, accounts, viewport):
    """W2, W12, W13: long titles and URLs wrap, the admin table scrolls in its box, the header
    fits; checked for an anonymous visitor, a user and an admin."""
    violations = []
    anonymous = new_context(viewport=viewport).new_page()
    user = logged_in(new_context, accounts["user"], viewport)
    admin = logged_in(new_context, accounts["admin"], viewport)
    add_long_note(user)
    add_long_note(admin)
    too_wide = []
    for who, page, paths in (
        ("anonymous", anonymous, ANONYMOUS_PAGES),
        ("user", user, USER_PAGES),
        ("admin", admin, ADMIN_PAGES),
    ):
        watch_csp(page, violations)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            shoot(page, who, path, viewport)
            scroll, inner = page_width(page)
            if scroll > inner:
                too_wide.append(f"{who} {path}: {scroll} > {inner}")
    assert too_wide == []
    assert violations == []


def test_header_fits_one_phone_line_block_for_an_admin(new_context, accounts):
    """W13: below 480 px the email leaves the header (it is on the account page)."""
    page = logged_in(new_context, accounts["admin"], PHONE)
    expect(page.locator(".nav-user")).to_be_hidden()
    height = page.eval_on_selector(".site-header", "e => e.getBoundingClientRect().height")
    assert height < 110, height  # brand + one or two lines of links, not four
    desktop = logged_in(new_context, accounts["admin"], DESKTOP)
    expect(desktop.locator(".nav-user")).to_have_text(accounts["admin"])


def test_header_lines_up_with_the_page_and_link_buttons_look_like_links(new_context, accounts):
    """W21: the brand starts where the content starts; "Log out" is not a filled button."""
    page = logged_in(new_context, accounts["user"], DESKTOP)
    brand = page.eval_on_selector(".brand", "e => e.getBoundingClientRect().left")
    heading = page.eval_on_selector("main h1", "e => e.getBoundingClientRect().left")
    assert abs(brand - heading) <= 1, (brand, heading)
    background = page.get_by_role("button", name="Log out").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert background == "rgba(0, 0, 0, 0)"


def test_field_errors_are_red_and_tied_to_their_input(new_context):
    """W1: the error list has no bullets and the danger colour; the input has a red border."""
    page = new_context(viewport=DESKTOP).new_page()
    page.goto("/auth/register")
    page.get_by_label("Email").fill("mismatch@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Register").click()
    errors = page.locator(".field-errors").first
    expect(errors).to_be_visible()
    style = errors.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).listStyleType]")
    assert style == [DANGER, "none"]
    field = page.locator(".field-invalid input").first
    assert field.evaluate("e => getComputedStyle(e).borderTopColor") == DANGER
    hint = page.locator(".hint").first
    if hint.count():
        assert hint.evaluate("e => getComputedStyle(e).color") == "rgb(89, 99, 110)"


def test_account_page_lists_what_a_user_can_do(new_context, accounts):
    """W17: facts in a two-column grid; links to Notes, and to Users for an admin."""
    page = logged_in(new_context, accounts["user"], DESKTOP)
    assert page.eval_on_selector(".facts", "e => getComputedStyle(e).display") == "grid"
    main = page.locator("main")
    expect(main.get_by_role("link", name="Your notes")).to_be_visible()
    expect(main.get_by_role("link", name="Manage users")).to_have_count(0)
    admin = logged_in(new_context, accounts["admin"], DESKTOP)
    admin.locator("main").get_by_role("link", name="Manage users").click()
    expect(admin).to_have_url(re.compile(r"/admin/users"))


def test_messages_have_a_colour_per_kind_and_stay_until_closed(new_context):
    """W9: a success message is tinted green (not the grey every kind shared) and does not
    fade on a timer; an error message is tinted red."""
    page = new_context(viewport=DESKTOP).new_page()
    page.clock.install()
    fill_registration(page, "tinted@example.com", PASSWORD)
    success = page.locator(".flash-success").first
    expect(success).to_be_visible()
    assert success.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(218, 251, 225)"
    page.clock.run_for(60_000)  # a minute later, a slow reader still sees it
    expect(success).to_be_visible()
    page.evaluate(
        """() => { const p = document.createElement("p"); p.className = "flash flash-error";
        p.textContent = "x"; document.querySelector("main").prepend(p); }"""
    )
    error = page.locator(".flash-error")
    assert error.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 235, 233)"
