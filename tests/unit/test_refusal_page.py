"""The throttled login page from its cut-once skeleton is the page a full render gives."""

import re

import pytest

from project.auth import refusal_page

WRONG = "wrong-password-9"
TOKEN = re.compile(rb'(name="csrf_token" type="hidden" value=")([^"]+)"')


@pytest.fixture(params=[True, False], ids=["csrf", "no-csrf"])
def throttled_app(app, request):
    app.config.update(LOGIN_THROTTLE_PER_ADDRESS=1, WTF_CSRF_ENABLED=request.param)
    return app


def refusal(client, email, remember, next_url, flashes=()):
    token = TOKEN.search(client.get("/auth/login").data)
    data = {"email": email, "password": WRONG}
    if token:
        data["csrf_token"] = token.group(2).decode()
    if flashes:  # after the GET, which shows and pops them
        with client.session_transaction() as session:
            session["_flashes"] = list(flashes)
    if remember:
        data["remember"] = "y"
    query = {"next": next_url} if next_url else {}
    return client.post("/auth/login", data=data, query_string=query)


def comparable(response) -> tuple:
    """Status, headers and body; the request id and the token's timestamp always differ."""
    headers = sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")
    return response.status_code, headers, TOKEN.sub(rb'\1-"', response.data)


@pytest.mark.parametrize("remember", [False, True])
@pytest.mark.parametrize(
    ("email", "next_url"),
    [
        ("ann@example.com", None),
        ("  O'Hara&x+y@Example.com ", "/notes?a=1&b=\"<'>"),  # valid, and needs escaping
    ],
)
def test_the_refusal_is_the_page_a_full_render_gives(
    throttled_app, monkeypatch, email, remember, next_url
):
    client = throttled_app.test_client()
    assert refusal(client, "first@example.com", False, None).status_code == 200  # counted
    fast = refusal(client, email, remember, next_url)
    monkeypatch.setattr(refusal_page, "skeleton", lambda *args: None)
    rendered = refusal(client, email, remember, next_url)
    assert fast.status_code == 429
    assert comparable(fast) == comparable(rendered)
    assert b"Too many attempts." in fast.data


def test_pending_flashes_are_shown_and_popped_as_a_render_does(throttled_app):
    client = throttled_app.test_client()
    refusal(client, "first@example.com", False, None)
    flashes = [("info", "You are <logged> out.")]
    for pending in ((), flashes, ()):  # before and after the skeleton is cut
        response = refusal(client, "ann@example.com", False, None, pending)
        assert response.status_code == 429
        assert (b"You are &lt;logged&gt; out." in response.data) == bool(pending)
    with client.session_transaction() as session:
        assert "_flashes" not in session


def test_a_page_the_markers_cannot_cut_is_rendered_in_full():
    page = "a MARK b MARK c"
    assert refusal_page.cut(page, {"email": "MARK"}) is None
    assert refusal_page.cut("a X b Y c", {"email": "X", "message": "Y"}) == [
        ("a ", "email"),
        (" b ", "message"),
        (" c", ""),
    ]


def test_each_language_gets_its_own_skeleton(throttled_app, monkeypatch):
    """The page is cut once per worker: an English refusal must not serve the next visitor,
    who reads Chinese, an English page (nor the other way round)."""
    english, chinese = throttled_app.test_client(), throttled_app.test_client()
    chinese.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert refusal(english, "first@example.com", False, None).status_code == 200  # counted
    first_english = refusal(english, "ann@example.com", False, None)
    refusal(chinese, "ann@example.com", False, None)  # its first answer also sets its cookie
    fast_chinese = refusal(chinese, "ann@example.com", False, None)
    monkeypatch.setattr(refusal_page, "skeleton", lambda *args: None)
    rendered_chinese = refusal(chinese, "ann@example.com", False, None)
    assert first_english.status_code == fast_chinese.status_code == 429
    assert comparable(fast_chinese) == comparable(rendered_chinese)
    assert 'lang="zh' in fast_chinese.text
