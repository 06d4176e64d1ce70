"""The reader's language: English by default, Accept-Language, the header's switcher (a cookie
for this browser, a column for the account), and mails in the recipient's language."""

from __future__ import annotations

from devkit.accounts import PASSWORD
from project.models import User

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def test_english_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and ">Log in</a>" in page


def test_accept_language_picks_chinese(client):
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and ">登录</a>" in page


def test_a_page_in_the_reader_s_language_varies_on_accept_language(client):
    page = client.get("/", headers=ZH)
    assert "Accept-Language" in page.vary and "<h1>运行正常</h1>" in page.get_data(as_text=True)
    assert "Accept-Language" in client.get("/api/v1/notes").vary  # its error message too
    with client.get("/static/favicon.svg") as static:  # no text in it
        assert "Accept-Language" not in static.vary


def test_an_unknown_language_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def switcher(page: str) -> str:
    return page.split('class="locale-switch"')[1].split("</form>")[0]


def test_the_switcher_is_a_post_form_in_the_header(auth, client):
    header = switcher(client.get("/").get_data(as_text=True))
    assert 'method="post" action="/locale"' in header
    assert 'value="zh_CN"' in header and "中文" in header
    assert 'aria-pressed="true">English' in header
    assert 'name="csrf_token"' not in header  # anonymous: no session (see the origin test)
    auth.create_user()
    auth.login()
    assert 'name="csrf_token"' in switcher(client.get("/").get_data(as_text=True))


def test_switching_sets_a_cookie_and_goes_back(client):
    response = client.post("/locale", data={"locale": "zh_CN", "next": "/auth/login?x=1"})
    assert response.status_code == 302 and response.location == "/auth/login?x=1"
    assert "locale=zh_CN" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert ">登录</h1>" in client.get("/auth/login").get_data(as_text=True)


def test_the_cookie_wins_over_accept_language(client):
    client.post("/locale", data={"locale": "en"})
    assert '<html lang="en">' in client.get("/", headers=ZH).get_data(as_text=True)


def test_switching_refuses_an_unknown_language_and_a_foreign_next(client):
    assert client.post("/locale", data={"locale": "xx"}).status_code == 400
    response = client.post("/locale", data={"locale": "en", "next": "//evil.example/"})
    assert response.location == "/"


def test_a_user_s_choice_is_kept_on_the_account(app, auth, client):
    auth.create_user()
    auth.login()
    client.post("/locale", data={"locale": "zh_CN"})
    with app.app_context():
        assert User.get(User.email == "ann@example.com").locale == "zh_CN"
    other = app.test_client()  # another browser: no cookie, asks for English
    other.post("/auth/login", data={"email": "ann@example.com", "password": PASSWORD})
    page = other.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "退出登录" in page


def test_registering_keeps_the_visitor_s_language(app, auth, client):
    client.post("/locale", data={"locale": "zh_CN"})
    auth.register()
    with app.app_context():
        assert User.get(User.email == "ann@example.com").locale == "zh_CN"


def test_form_errors_and_flashes_are_translated(auth, client):
    auth.create_user()
    page = client.post(
        "/auth/login", data={"email": "ann@example.com", "password": "wrong-password-1"}, headers=ZH
    ).get_data(as_text=True)
    assert "邮箱或密码不正确" in page
    page = client.post("/auth/register", data={"email": "x"}, headers=ZH).get_data(as_text=True)
    assert "请输入有效的邮箱地址。" in page
    assert "该字段是必填字段。" in page  # WTForms' own messages, from its catalogue


def test_api_messages_follow_accept_language(client):
    reply = client.get("/api/v1/notes", headers=ZH)
    assert reply.status_code == 401 and reply.get_json()["error"]["code"] == "unauthenticated"
    assert "登录" in reply.get_json()["error"]["message"]


def test_a_reset_mail_goes_out_in_the_recipient_s_language(app, auth, client, smtp, mail_app):
    """Asked from an English browser: the mail follows the account's language, not the page's."""
    user = auth.create_user()
    with app.app_context():
        User.update(locale="zh_CN").where(User.id == user.id).execute()
    english = {"Accept-Language": "en"}
    client.post("/auth/forgot", data={"email": "ann@example.com"}, headers=english)
    message = smtp.inbox.wait_for(1)[0]
    assert message["Subject"] == "重置密码"
    text = message.get_content()
    assert "设置新密码" in text and "/auth/reset/" in text


def test_a_mail_to_a_user_without_a_choice_is_english(app, auth, client, smtp, mail_app):
    auth.create_user()
    client.post("/auth/forgot", data={"email": "ann@example.com"}, headers=ZH)
    assert smtp.inbox.wait_for(1)[0]["Subject"] == "Reset your password"


def test_dates_are_formatted_for_the_locale(app):
    from datetime import datetime

    from flask_babel import format_datetime

    from project.i18n import in_locale

    when = datetime(2026, 12, 1, 12, 30)
    with app.test_request_context():
        with in_locale("zh_CN"):
            assert format_datetime(when, "medium").startswith("2026年12月1日")
        with in_locale(None):
            assert format_datetime(when, "medium").startswith("Dec 1, 2026")


def test_values_in_translated_text_are_escaped(app):
    from flask import render_template_string

    page = "{% trans v=v %}Notes{{ v }}{% endtrans %}|{{ _('Hi %(v)s', v=v) }}|{{ _('Notes') }}"
    with app.test_request_context(headers=ZH):
        html = render_template_string(page, v="<script>")
    assert "<script>" not in html and html.count("&lt;script&gt;") == 2 and html.endswith("|笔记")


def test_a_mail_rendered_during_a_chinese_page_can_be_english(app):
    """force_locale inside a request: the page's catalogue is not reused for the mail."""
    from flask import render_template_string

    from project.i18n import in_locale

    with app.test_request_context(headers=ZH):
        assert render_template_string("{{ _('Notes') }}") == "笔记"
        with in_locale("en"):
            assert render_template_string("{{ _('Notes') }}") == "Notes"
        assert render_template_string("{{ _('Notes') }}") == "笔记"


def test_the_scripts_words_come_translated_with_the_page(client):
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert 'data-text-dismiss="关闭"' in page and 'data-text-passkey-not-added="' in page


def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_anonymous_switching_needs_this_site_s_origin_not_a_session(app):
    client = csrf_app(app)
    assert "Set-Cookie" not in client.get("/").headers  # the switcher made no session
    forged = client.post("/locale", data={"locale": "zh_CN"}, headers={"Origin": "https://evil"})
    assert forged.status_code == 400 and "Set-Cookie" not in forged.headers
    assert client.post("/locale", data={"locale": "zh_CN"}).status_code == 400  # no origin
    ours = client.post("/locale", data={"locale": "zh_CN"}, headers={"Origin": "http://localhost"})
    assert ours.status_code == 302 and ours.headers["Set-Cookie"].startswith("locale=zh_CN")
    by_referer = {"Referer": "http://localhost/auth/login"}
    assert client.post("/locale", data={"locale": "en"}, headers=by_referer).status_code == 302


def test_a_logged_in_user_s_switch_needs_the_session_token(app, auth):
    import re

    client = csrf_app(app)
    auth.create_user()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    origin = {"Origin": "http://localhost"}
    assert client.post("/locale", data={"locale": "zh_CN"}, headers=origin).status_code == 400
    good = {"locale": "zh_CN", "csrf_token": token}
    assert client.post("/locale", data=good, headers=origin).status_code == 302


def test_the_settings_and_notes_pages_in_chinese(auth, client):
    auth.create_user()
    auth.login()
    page = client.get("/account/settings", headers=ZH).get_data(as_text=True)
    assert "会话在 " in page and "分钟未使用后结束" in page and "UTC" in page
    page = client.get("/notes/", headers=ZH).get_data(as_text=True)
    assert "还没有笔记。" in page and 'data-text-note-added="笔记已添加。"' in page


def test_a_security_notice_follows_the_account_s_language(app, auth, client, smtp, mail_app):
    user = auth.create_user()
    with app.app_context():
        User.update(locale="zh_CN").where(User.id == user.id).execute()
    auth.login()
    data = {"current_password": PASSWORD, "new_password": "amber-canyon-77"}
    client.post("/account/settings", data={**data, "confirm": "amber-canyon-77"})
    notice = smtp.inbox.wait_for(1)[0]
    assert notice["Subject"] == "您的密码已被修改"
    text = notice.get_content()
    assert "年12月" in text and "UTC" in text and "被修改" in text  # a Chinese date, in UTC


def test_a_passkey_notice_is_in_the_account_s_language(app, auth, client, smtp, mail_app):
    from project.twofactor.models import Passkey

    user = auth.create_user()
    with app.app_context():
        User.update(locale="zh_CN").where(User.id == user.id).execute()
        key = Passkey.create(user=user.id, credential_id="k", public_key="AAAA", name="钥匙")
    auth.login()
    client.post(f"/account/passkeys/{key.id}/delete")
    text = smtp.inbox.wait_for(1)[0].get_content()
    assert "passkey" not in text and "通行密钥已被移除" in text


def test_registering_a_taken_address_mails_its_owner_in_their_language(
    app, auth, client, smtp, mail_app
):
    auth.create_user()  # no choice: English, though the stranger's browser asks for Chinese
    client.post(
        "/auth/register",
        data={"email": "ann@example.com", "password": "x" * 12, "confirm": "x" * 12},
        headers=ZH,
    )
    assert smtp.inbox.wait_for(1)[0]["Subject"] == "Your account"
