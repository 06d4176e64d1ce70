"""The built JS and CSS in headless Chromium under a strict CSP: flash, confirm, notes modules.

A test blueprint provides a page using each module and a stand-in notes API (the real one lives
in the api blueprint); the page is served by the real app with the real build.
"""

import itertools
import threading

import pytest
from flask import Blueprint, abort, flash, jsonify, render_template_string, request
from flask_wtf.csrf import validate_csrf
from werkzeug.serving import make_server
from wtforms.validators import ValidationError

from devkit.browser import watch_problems
from devkit.services import required_tool

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"
# Anonymous pages carry no CSRF meta tag (no session for visitors); this page stands in for a
# signed-in one, so it adds the tag itself.
PAGE = """{% extends "base.html" %}
{% block head %}<meta name="csrf-token" content="{{ csrf_token() }}">{% endblock %}
{% block content %}
<p class="flash flash-info" data-dismiss-after="0.2">fades</p>
<form method="post" action="/_test/delete">
  <button data-confirm="Really delete?">Delete</button>
</form>
<section data-notes-app data-notes-url="/_test/notes">
  <form data-notes-form>
    <div class="field"><label for="title">Title</label><input id="title" name="title"></div>
    <div class="field"><label for="body">Note</label>
      <textarea id="body" name="body"></textarea></div>
    <button>Add</button>
  </form>
  <p data-notes-status role="status" tabindex="-1"></p>
  <ul data-notes-list>
    <li class="note" data-note-id="1"><h2 class="note-title">First</h2>
      <p class="note-body">hello</p><form method="post"><button>Delete</button></form></li>
    <li data-notes-empty hidden>No notes yet.</li>
  </ul>
  <template data-notes-template><li class="note"><h2 class="note-title">{title}</h2>
    <p class="note-body">{body}</p><form method="post" action="/_test/{id}"><button
    aria-label="Delete “{title}”">Delete</button></form></li></template>
</section>{% endblock %}"""


def fake_notes_api() -> Blueprint:
    """In-memory notes with the API's shapes; unsafe methods demand a valid CSRF header."""
    bp = Blueprint("test_pages", __name__, url_prefix="/_test")
    notes, ids = {1: {"id": 1, "title": "First", "body": "hello"}}, itertools.count(2)

    @bp.before_request
    def require_csrf_header():
        if request.method not in ("GET", "HEAD"):
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except ValidationError:
                abort(400)

    @bp.get("/page")
    def page():
        flash("Saved.", "success")
        flash("Something failed.", "error")
        return render_template_string(PAGE)

    @bp.post("/delete")
    def delete_page():
        return "deleted"

    @bp.post("/notes")
    def collection():
        fields = request.get_json()
        if not fields.get("title"):
            return jsonify(error={"code": "validation", "message": "title: required"}), 422
        note = {"id": next(ids), "title": fields["title"], "body": fields.get("body", "")}
        notes[note["id"]] = note
        return jsonify(note), 201

    @bp.delete("/notes/<int:note_id>")
    def remove(note_id):
        notes.pop(note_id, None)
        return "", 204

    return bp


@pytest.fixture
def live_url(app):
    app.register_blueprint(fake_notes_api())
    # The page's POST /_test/delete is a plain form without a token: exempt it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.after_request(add_csp)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def add_csp(response):
    response.headers["Content-Security-Policy"] = CSP
    return response


@pytest.fixture
def page(live_url):
    chromium = required_tool("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(base_url=live_url)
        watch_problems(page, problems, requests=True)
        page.problems = problems
        yield page
        browser.close()


def test_page_loads_built_assets_without_errors_under_csp(page):
    page.goto("/_test/page")
    page.wait_for_load_state("networkidle")
    # The stylesheet applied: the header's layout comes from gen/css/app.css.
    assert page.eval_on_selector(".site-header-inner", "e => getComputedStyle(e).display") == "flex"
    assert page.problems == []


def test_flash_messages_close_and_fade(page):
    page.goto("/_test/page")
    page.wait_for_selector("text=fades", state="detached")
    page.click(".flash-error .flash-close")
    page.wait_for_selector(".flash-error", state="detached")
    assert page.is_visible(".flash-success")  # confirmations stay until closed
    assert page.problems == []


def test_confirm_blocks_destructive_submit_until_accepted(page):
    page.goto("/_test/page")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button[data-confirm]")
    assert page.url.endswith("/_test/page")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button[data-confirm]")
    assert page.url.endswith("/_test/delete")


def test_notes_list_add_error_and_delete_through_the_api(page):
    page.goto("/_test/page")
    page.wait_for_selector("[data-notes-list] li >> text=First")
    page.fill("[data-notes-form] input[name=title]", "Second")
    page.fill("[data-notes-form] textarea[name=body]", "<b>not html</b>")
    page.click("[data-notes-form] button")
    page.wait_for_selector("[data-notes-list] li >> text=Second")
    assert page.inner_text("[data-notes-list] li:first-child p") == "<b>not html</b>"
    assert page.get_attribute("[data-notes-list] li:first-child form", "action") == "/_test/2"
    page.click("[data-notes-form] button")  # empty title: the API's 422 message is shown
    page.wait_for_selector("[data-notes-status].is-error >> text=title: required")
    page.problems.clear()  # the 422 above was expected
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-notes-list] li:has-text('First') button")
    page.wait_for_selector("[data-notes-list] li >> text=First", state="detached")
    page.click("[data-notes-list] li:has-text('Second') button")
    page.wait_for_selector("text=No notes yet.")  # the empty state, once the last is gone
    assert page.problems == []
