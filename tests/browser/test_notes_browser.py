"""The notes page, enhanced by the built JS, calling the real API through the real bundle."""

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import register_and_log_in, watch_problems

pytestmark = pytest.mark.browser

EMAIL = "noter@example.com"
PASSWORD = "copper-lantern-93"


def test_notes_page_adds_and_deletes_through_the_api(new_context, live_server):
    problems = []
    page = new_context().new_page()
    watch_problems(page, problems, requests=True)
    page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmation

    register_and_log_in(page, EMAIL, PASSWORD)

    page.goto("/notes/")
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    page.get_by_label("Title").fill("Buy milk")
    page.get_by_label("Note", exact=True).fill("two litres")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/notes") and r.status == 201):
        page.get_by_role("button", name="Add note").click()
    expect(page.locator("[data-notes-status]")).to_have_text("Note added.")
    expect(page.locator("[data-notes-list] .note")).to_have_count(1)

    page.reload()  # stored for real: the API list shows it after a reload
    expect(page.locator("[data-notes-list] .note-title")).to_have_text("Buy milk")

    with page.expect_response(lambda r: "/api/v1/notes/" in r.url and r.status == 204):
        page.get_by_role("button", name="Delete").click()
    expect(page.locator("[data-notes-list] .note")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    assert problems == []


def notes_page(new_context, email: str):
    """A fresh user's notes page, confirmations accepted."""
    page = new_context().new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    register_and_log_in(page, email, PASSWORD)
    page.goto("/notes/")
    return page


def add_note(page, title: str, body: str = "") -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Note", exact=True).fill(body)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/notes") and r.status == 201):
        page.get_by_role("button", name="Add note").click()


def note_markup(page) -> list[str]:
    """Each note's outline: element names and classes, the button's name; no text."""
    return page.eval_on_selector_all(
        "[data-notes-list] .note",
        """items => items.map(li => [...li.querySelectorAll('*')]
            .map(e => e.tagName + '.' + e.className + (e.getAttribute('aria-label') || ''))
            .join(' '))""",
    )


def test_notes_added_by_script_look_like_the_pages_own(new_context):
    """W7, W20: one markup (a heading per note, the same Delete form), buttons named."""
    page = notes_page(new_context, "markup@example.com")
    add_note(page, "Groceries", "milk")
    expect(page.get_by_role("heading", name="Groceries", level=2)).to_be_visible()
    expect(page.get_by_role("button", name="Delete “Groceries”", exact=True)).to_be_visible()
    expect(page.get_by_text("No notes yet.")).to_be_hidden()
    added = note_markup(page)
    page.reload()
    assert note_markup(page) == added


def test_api_field_errors_show_under_their_input(new_context):
    """W6: the API's error.fields, shown as the server's forms show them."""
    page = notes_page(new_context, "fields@example.com")
    page.get_by_label("Title").fill("   ")  # passes `required`, refused by the API
    with page.expect_response(lambda r: r.url.endswith("/api/v1/notes") and r.status == 422):
        page.get_by_role("button", name="Add note").click()
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    errors = page.locator("#" + title.get_attribute("aria-describedby"))
    expect(errors).to_have_text(re.compile("blank", re.I))
    expect(page.locator(".field-invalid")).to_have_count(1)
    add_note(page, "Fixed")  # a good submit clears the errors
    expect(page.locator(".field-errors")).to_have_count(0)
    expect(title).not_to_have_attribute("aria-invalid", "true")


def focused_name(page) -> str:
    return page.evaluate(
        "document.activeElement.getAttribute('aria-label') || document.activeElement.textContent"
    )


def test_deleting_by_keyboard_keeps_focus_and_the_empty_state(new_context):
    """W20, W7: focus goes to the next note's button, then to the status line; the empty
    state comes back after the last delete."""
    page = notes_page(new_context, "keys@example.com")
    add_note(page, "Older")
    add_note(page, "Newer")
    page.get_by_role("button", name="Delete “Newer”").focus()
    with page.expect_response(lambda r: "/api/v1/notes/" in r.url and r.status == 204):
        page.keyboard.press("Enter")
    expect(page.locator("[data-notes-list] .note")).to_have_count(1)
    assert focused_name(page) == "Delete “Older”"
    with page.expect_response(lambda r: "/api/v1/notes/" in r.url and r.status == 204):
        page.keyboard.press("Enter")
    expect(page.locator("[data-notes-list] .note")).to_have_count(0)
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    assert focused_name(page) == "Note deleted."
