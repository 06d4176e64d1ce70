"""The notes page, enhanced by the built JS, calling the real API through the real bundle."""

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
    expect(page.locator("[data-notes-status]")).to_have_text("No notes yet.")
    page.get_by_label("Title").fill("Buy milk")
    page.get_by_label("Note", exact=True).fill("two litres")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/notes") and r.status == 201):
        page.get_by_role("button", name="Add note").click()
    expect(page.locator("[data-notes-status]")).to_have_text("Note added.")
    expect(page.locator("[data-notes-list] .note")).to_have_count(1)

    page.reload()  # stored for real: the API list shows it after a reload
    expect(page.locator("[data-notes-list] .note strong")).to_have_text("Buy milk")

    with page.expect_response(lambda r: "/api/v1/notes/" in r.url and r.status == 204):
        page.get_by_role("button", name="Delete").click()
    expect(page.locator("[data-notes-list] .note")).to_have_count(0)
    page.reload()
    expect(page.locator("[data-notes-status]")).to_have_text("No notes yet.")
    assert problems == []
