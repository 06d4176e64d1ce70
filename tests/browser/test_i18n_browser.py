"""The site in Chinese (issue 22): the header's switcher, a whole account journey, the choice
kept by the browser (cookie) and by the account (another browser), and Accept-Language on a
first visit."""

import re

import pytest
from playwright.sync_api import expect

from devkit.browser import LABELS, fill_login, fill_registration, watch_csp

pytestmark = pytest.mark.browser

EMAIL = "lin@example.com"
PASSWORD = "violet-harbor-42"
ZH = LABELS["zh-CN"]


def test_switch_to_chinese_register_log_in_and_keep_the_choice(new_context):
    violations = []
    page = new_context(locale="en-US").new_page()
    watch_csp(page, violations)
    page.goto("/")
    expect(page.get_by_role("heading", name="It works")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="运行正常")).to_be_visible()
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("link", name="注册", exact=True).click()
    fill_registration(page, EMAIL, PASSWORD, labels=ZH)
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_text(f"我们已向 {EMAIL} 发送了一封邮件")).to_be_visible()

    fill_login(page, EMAIL, "wrong-password-11", labels=ZH)
    expect(page.get_by_role("alert")).to_have_text("邮箱或密码不正确。")
    fill_login(page, EMAIL, PASSWORD, labels=ZH)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="您的账户")).to_be_visible()
    expect(page.get_by_text("注册时间")).to_be_visible()

    page.get_by_role("button", name="退出登录").click()  # the browser keeps the choice
    expect(page.get_by_text("您已退出登录。")).to_be_visible()
    page.goto("/auth/login")
    fill_login(page, EMAIL, PASSWORD, labels=ZH)
    expect(page.get_by_role("heading", name="您的账户")).to_be_visible()
    assert violations == []

    # Another browser, English, no cookie: once logged in, the account's choice wins.
    other = new_context(locale="en-US").new_page()
    other.goto("/auth/login")
    fill_login(other, EMAIL, PASSWORD)  # English labels: anonymous until then
    expect(other.get_by_role("heading", name="您的账户")).to_be_visible()
    other.get_by_role("button", name="English").click()  # and back, for this account
    expect(other.get_by_role("heading", name="Your account")).to_be_visible()
    expect(other.locator("html")).to_have_attribute("lang", "en")


def test_a_chinese_browser_gets_chinese_on_the_first_visit(new_context):
    page = new_context(locale="zh-CN").new_page()
    response = page.goto("/")
    assert response.request.headers["accept-language"].startswith("zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="运行正常")).to_be_visible()
