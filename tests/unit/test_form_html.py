"""The fast html_params renders exactly what WTForms 3.3.2's does, escaping included."""

import pytest
from markupsafe import Markup

from project import form_html

HOSTILE = [
    {"name": "email", "id": "email", "value": "a\"b<c>&d'e", "required": True},
    {"value": Markup("<b>kept</b>"), "data_user_name": "x", "aria_describedby": "e-errors"},
    {"class_": "wide", "for_": "f", "checked": False, "disabled": True, "maxlength": 128},
    {"title": "\u00e9 \x00 &amp;", "placeholder": 0, "autocomplete": None},
    {'on"click': "x", "a<b": "y"},
    {},
]


@pytest.mark.parametrize("attributes", HOSTILE)
def test_same_output_as_wtforms(attributes):
    fast = form_html.html_params(**attributes)
    assert isinstance(fast, Markup)
    assert fast == form_html.ORIGINAL(**attributes)


def test_installed_for_every_widget(app):
    from wtforms import widgets
    from wtforms.widgets import core

    assert core.html_params is widgets.html_params is form_html.html_params
    assert core.Input.html_params is form_html.html_params
    assert core.Button.html_params is form_html.html_params


def test_login_page_is_unchanged(app, client):
    from wtforms.widgets import core

    fast = client.get("/auth/login").data
    core.html_params = form_html.ORIGINAL
    core.Input.html_params = staticmethod(form_html.ORIGINAL)
    core.Button.html_params = staticmethod(form_html.ORIGINAL)
    from wtforms import widgets

    widgets.html_params = form_html.ORIGINAL
    try:
        slow = client.get("/auth/login").data
    finally:
        form_html.install()
    assert fast == slow
