"""Template files compiled once per language (project/i18n_templates.py): the same text,
escaping and formatting as rendering the same source with the render-time gettext."""

from __future__ import annotations

import pytest
from flask import render_template, render_template_string
from jinja2 import ChoiceLoader, DictLoader

from project.i18n import in_locale

ZH = {"Accept-Language": "zh-CN"}
SOURCES = {
    "fixed.html": "<p>{{ _('Notes') }}</p>|{{ gettext('Log in') }}|{{ _('100%% of %(n)s', n=v) }}"
    "|{{ _('100%% sure') }}",
    "values.html": "{% trans v=v %}<b>Notes</b> {{ v }} and {{ w }}{% endtrans %}"
    "|{{ _('Hi %(v)s', v=v) }}",
    "plural.html": "{% trans count=n %}one note{% pluralize %}{{ count }} notes{% endtrans %}",
    "raw.html": "{% autoescape false %}{{ _('Hi %(v)s', v=v) }}{% endautoescape %}"
    "|{{ _('Notes') }}",
    "mail.txt": "{{ _('Notes') }} {% trans v=v %}for {{ v }}{% endtrans %}"
    " {{ _('Hi %(v)s', v=v) }}",
    "formats.html": "{{ _('%(v)s and %(v)s', v=v) }}|{{ _('%%(v)s is %(v)s', v=v) }}"
    "|{{ _('%(n)d notes', n=n) }}|{{ _('Hi %(v)s', v=v, w=w) }}",
    "in_call.html": "{{ (_('Notes') ~ v) }}|{{ [_('Log in')] | join(', ') }}",
    "language.html": '<html lang="{{ page_lang }}" data-locale="{{ page_locale }}">',
}
VALUES = {"v": "<script>&", "w": "W&", "n": 3}


@pytest.fixture
def files(app):
    app.jinja_env.loader = ChoiceLoader([DictLoader(SOURCES), app.jinja_env.loader])
    return app


@pytest.mark.parametrize("name", [name for name in SOURCES if name != "language.html"])
@pytest.mark.parametrize("headers", [{}, ZH], ids=["en", "zh_CN"])
def test_a_file_renders_as_its_source_does_at_render_time(files, name, headers):
    with files.test_request_context(headers=headers):
        compiled = render_template(name, **VALUES)
        at_render_time = render_template_string(as_string(name), **VALUES)
    assert compiled == at_render_time


def as_string(name: str) -> str:
    """The file's source for render_template_string, which always autoescapes: a .txt file
    (a mail) does not."""
    source = SOURCES[name]
    return (
        source
        if name.endswith(".html")
        else f"{{% autoescape false %}}{source}{{% endautoescape %}}"
    )


def test_a_missing_value_fails_as_at_render_time(files):
    source = "{{ _('Hi %(x)s', v=v) }}"
    files.jinja_env.loader.loaders[0].mapping["missing.html"] = source
    with files.test_request_context(), pytest.raises(KeyError, match="x"):
        render_template("missing.html", **VALUES)
    with files.test_request_context(), pytest.raises(KeyError, match="x"):
        render_template_string(source, **VALUES)


def test_fixed_text_is_translated_and_values_stay_escaped(files):
    with files.test_request_context(headers=ZH):
        assert render_template("fixed.html", **VALUES).startswith("<p>笔记</p>|登录|")
        page = render_template("values.html", **VALUES)
    assert "&lt;script&gt;&amp;" in page and "<script>" not in page and "W&amp;" in page


def test_each_language_gets_its_own_compiled_file(files):
    for headers, expected in (({}, "Notes"), (ZH, "笔记"), ({}, "Notes")):
        with files.test_request_context(headers=headers):
            assert render_template("fixed.html", **VALUES).startswith(f"<p>{expected}</p>")


def test_force_locale_inside_a_request_uses_that_language_s_file(files):
    with files.test_request_context(headers=ZH):
        with in_locale("en"):
            assert render_template("fixed.html", **VALUES).startswith("<p>Notes</p>")
        assert render_template("fixed.html", **VALUES).startswith("<p>笔记</p>")


def test_a_compiled_file_knows_its_language(files):
    with files.test_request_context(headers=ZH):
        assert render_template("language.html") == '<html lang="zh-CN" data-locale="zh_CN">'
    with files.test_request_context():
        assert render_template("language.html") == '<html lang="en" data-locale="en">'
