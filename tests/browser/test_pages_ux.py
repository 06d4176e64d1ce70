"""The pages as a newcomer sees them (issue 23): styled errors, nothing wider than the screen,
features in the header, readable messages. Screenshots of each page at desktop and phone
sizes go to test-output/pages/ (gitignored) for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import LABELS, SCREENSHOT_DIR, fill_login, fill_registration, watch_csp
from devkit.polling import wait_until

pytestmark = pytest.mark.browser

PASSWORD = "violet-harbor-42"
USER = "reader@example.com"
ADMIN = "keeper-with-a-rather-long-address@example.com"
LONG_TITLE = "W" * 130  # one unbroken word: it must wrap, not widen the page
LONG_URL = "https://example.com/" + "segment/" * 20
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DANGER = "rgb(207, 34, 46)"  # --color-danger
HTML_LANG = {"en-US": "en", "zh-CN": "zh-CN"}  # <html lang> for each browser locale

ANONYMOUS_PAGES = [
    "/",
    "/auth/login",
    "/auth/register",
    "/auth/forgot-password",
    "/nope",
    "/api/v1/docs",
]
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


def logged_in(new_context, email: str, viewport: dict, locale: str = "en-US"):
    context = new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto("/auth/login")
    fill_login(page, email, PASSWORD, labels=LABELS[locale])
    expect(page).to_have_url(re.compile(r"/account$"))
    # The URL changes as the page starts loading; styles and layout need its CSS too.
    page.wait_for_load_state()
    return page


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def shoot(page, who: str, path: str, viewport: dict) -> None:
    name = re.sub(r"[^\w]+", "_", path).strip("_") or "home"
    folder = SCREENSHOT_DIR / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{who}-{name}-{viewport['width']}.png"), full_page=True)


def add_long_note(page) -> None:
    """By field name, not label: the same in every language."""
    page.goto("/notes/")
    page.locator("input[name=title]").fill(LONG_TITLE)
    page.locator("textarea[name=body]").fill(LONG_URL)
    page.locator("form[data-notes-form] [type=submit]").click()
    expect(page.get_by_text(LONG_TITLE).first).to_be_visible()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_is_wider_than_the_screen(new_context, accounts, viewport, locale):
    """W2, W12, W13: long titles and URLs wrap, the admin table scrolls in its box, the header
    fits; checked for an anonymous visitor, a user and an admin, in English and in Chinese
    (the browser's Accept-Language: these accounts chose no language)."""
    violations = []
    anonymous = new_context(viewport=viewport, locale=locale).new_page()
    user = logged_in(new_context, accounts["user"], viewport, locale)
    admin = logged_in(new_context, accounts["admin"], viewport, locale)
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
            expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])
            shoot(page, f"{who}-{locale}", path, viewport)
            scroll, inner = page_width(page)
            if scroll > inner:
                too_wide.append(f"{who} {path}: {scroll} > {inner}")
    assert too_wide == []
    assert violations == []


def test_chinese_table_cells_keep_their_words(new_context, accounts):
    """CJK text may break between any two characters: a narrow column must not stack
    "状态" as 状 over 态 (the table scrolls in its box instead)."""
    page = logged_in(new_context, accounts["admin"], PHONE, "zh-CN")
    page.goto("/admin/users")
    lines = page.eval_on_selector_all(
        ".table-scroll th, .table-scroll td:nth-child(-n+3)",
        """cells => cells.map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return [cell.textContent.trim(), range.getClientRects().length];
        })""",
    )
    assert [text for text, count in lines if count > 1 and "@" not in text] == []


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


def test_header_lists_every_area_and_marks_the_current_one(new_context, accounts):
    """W3: Notes, account, settings and (for admins) users in the header; the page's own link
    carries aria-current="page", on the area's inner pages too."""
    page = logged_in(new_context, accounts["admin"], DESKTOP)
    nav = page.locator(".site-nav")
    for name in ("Notes", "Your account", "Settings", "Users"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for path, current in (
        ("/notes/", "Notes"),
        ("/account", "Your account"),
        ("/account/two-factor", "Settings"),
        ("/admin/users", "Users"),
    ):
        page.goto(path)
        marked = nav.locator('[aria-current="page"]')
        expect(marked).to_have_count(1)
        expect(marked).to_have_text(current)


def test_destructive_actions_ask_first(new_context, accounts, live_server):
    """W11: log out everywhere, disable a user and delete a note ask; "no" changes nothing."""
    user = logged_in(new_context, accounts["user"], DESKTOP)
    admin = logged_in(new_context, accounts["admin"], DESKTOP)
    questions = []

    def refuse(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    for page in (user, admin):
        page.on("dialog", refuse)
    user.goto("/account/settings")
    user.get_by_role("button", name="Log out everywhere").click()
    admin.goto("/admin/users")
    admin.get_by_role("button", name=f"Disable {accounts['user']}").click()
    expect(admin.locator("tr", has_text=accounts["user"])).to_contain_text("active")
    user.goto("/notes/")
    user.get_by_label("Title").fill("Keep me")
    user.get_by_role("button", name="Add note").click()
    expect(user.get_by_text("Keep me")).to_be_visible()
    user.locator(".note", has_text="Keep me").get_by_role("button").click()
    user.reload()
    expect(user.get_by_text("Keep me")).to_be_visible()  # still there, still logged in
    assert len(questions) == 3, questions
    assert any(accounts["user"] in q for q in questions)


def test_deleting_a_note_without_javascript_has_a_confirmation_step(new_context, accounts):
    """W11 without JavaScript: the Delete button leads to a question page, whose own button
    deletes; the header stays on Notes meanwhile."""
    context = new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto("/auth/login")
    fill_login(page, accounts["user"], PASSWORD)
    page.goto("/notes/")
    page.get_by_label("Title").fill("Plain form note")
    page.get_by_role("button", name="Add note").click()
    page.get_by_role("button", name="Delete “Plain form note”").click()
    expect(page.get_by_role("heading", name="Delete this note?")).to_be_visible()
    expect(page.locator('.site-nav [aria-current="page"]')).to_have_text("Notes")
    shoot(page, "user", "notes-confirm-delete", DESKTOP)
    page.get_by_role("button", name="Delete “Plain form note”").click()
    expect(page.get_by_text("Note deleted.")).to_be_visible()
    expect(page.get_by_text("Plain form note")).to_have_count(0)


def test_register_while_logged_in_goes_to_the_account(new_context, accounts):
    """W16: as login does; the form would have created a second account and switched to it."""
    page = logged_in(new_context, accounts["user"], DESKTOP)
    page.goto("/auth/register")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator(".nav-user")).to_have_text(accounts["user"])


def latest_link(live_server, email: str) -> str:
    """The confirmation link of the newest mail to `email` (the queue's worker writes it)."""
    folder = live_server.bundle.root / "var" / "mail"

    def mails():
        files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
        return [f.read_text() for f in files if email in f.read_text()]

    wait_until(mails, timeout=20)
    return re.search(r"https?://\S+(/auth/confirm/\S+)", mails()[-1]).group(1)


def test_one_message_after_registering_and_no_banner_on_the_confirmation_page(
    new_context, live_server
):
    """W9: registering says it once; W10: the "please confirm" banner, with its own button,
    is not shown above the confirmation page's Confirm button."""
    page = new_context(viewport=DESKTOP).new_page()
    email = "newcomer@example.com"
    fill_registration(page, email, PASSWORD)
    expect(page.locator(".flash")).to_have_count(1)
    fill_login(page, email, PASSWORD)
    expect(page.locator(".confirm-banner")).to_be_visible()
    page.goto(latest_link(live_server, email))
    expect(page.get_by_role("button", name=re.compile("Confirm"))).to_be_visible()
    expect(page.locator(".confirm-banner")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_api_docs_page_shows_the_operations_under_the_strict_csp(new_context, viewport):
    """W23: the home page links a readable API page; Swagger UI, served from this site,
    draws every operation with no CSP violation and no script error."""
    violations = []
    page = new_context(viewport=viewport).new_page()
    watch_csp(page, violations)
    page.goto("/")
    page.get_by_role("link", name="API documentation").click()
    expect(page).to_have_url(re.compile(r"/api/v1/docs$"))
    summary = page.locator(".opblock-summary", has_text="/api/v1/notes").first
    expect(summary).to_be_visible()
    expect(page.get_by_text("Exchange email and password for a bearer token")).to_be_visible()
    summary.get_by_role("button").first.click()  # an operation opens, its responses listed
    expect(page.locator(".responses-wrapper").first).to_be_visible()
    shoot(page, "anonymous", "api-docs-open", viewport)
    assert violations == []


def test_reloading_a_failed_address_change_is_the_settings_page(new_context, accounts):
    """W15: after a refused address change, opening its address again is no 405 page."""
    page = logged_in(new_context, accounts["user"], DESKTOP)
    page.goto("/account/settings")
    page.get_by_label("New email address").fill("elsewhere@example.com")
    page.get_by_label("Your password").fill("not-the-password-1")
    page.get_by_role("button", name="Change address").click()
    expect(page.locator(".field-errors")).to_be_visible()
    # The address the browser now shows, opened again (as reload and back do, less the
    # browser's own "send again?" question): the settings page, not a 405.
    response = page.goto(page.url)
    assert response.status == 200, (response.status, page.url)
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
