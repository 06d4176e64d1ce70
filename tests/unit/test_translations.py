"""Every user-facing string is marked, extracted and translated: the catalogue test.

A template's text outside {% trans %} / _() fails here, as does a catalogue entry that is
missing, empty or fuzzy, or a messages.pot that lags behind the code (run
`scripts/ctl i18n extract` and `update`, then translate: README, Translations).
"""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from devkit.i18n_lint import unmarked_text
from project import i18n, i18n_catalog
from project.deploy.layout import PACKAGE_DIR

TEMPLATES = PACKAGE_DIR / "templates"
TEMPLATE_FILES = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt")
)
LOCALES = [locale for locale in i18n.LANGUAGES if locale != i18n.DEFAULT_LOCALE]


def read(path):
    with open(path, "rb") as file:
        return read_po(file)


def translated(message) -> bool:
    return all(message.string) if message.pluralizable else bool(message.string)


def ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_template_text_is_marked_for_translation(name):
    assert unmarked_text((TEMPLATES / name).read_text()) == []


def test_the_lint_finds_unmarked_text():
    assert unmarked_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked_text('<input placeholder="Your name">') == ["Your name"]
    assert unmarked_text("<p>{{ _('Hello') }} · {% trans %}Hi {{ n }}{% endtrans %}</p>") == []
    assert unmarked_text("{# a comment #}<b>{{ 42 }}</b> &nbsp; 2026") == []


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = i18n_catalog.extract(tmp_path / "messages.pot")
    assert ids(read(fresh)) == ids(read(i18n_catalog.TEMPLATE))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(locale):
    path = i18n_catalog.TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    catalog = read(path)
    assert ids(read(i18n_catalog.TEMPLATE)) == ids(catalog), "run scripts/ctl i18n update"
    untranslated = [m.id for m in catalog if m.id and not translated(m)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == []  # placeholders of each translation match the English ones


def test_every_language_has_a_catalogue():
    assert {path.parts[-3] for path in i18n_catalog.catalogues()} == set(LOCALES)


def test_ctl_i18n_lists_its_verbs_and_refuses_mistakes_in_one_line():
    import os

    from devkit.cli import run_cli

    env = dict(os.environ)
    assert "i18n " in run_cli("--help", env=env).stdout
    for args, message in (
        (("init", "zh_CN"), "error: project/translations/zh_CN/LC_MESSAGES/messages.po exists"),
        (("init", "no_such_locale"), "error: 'no_such_locale' is not a locale Babel knows"),
    ):
        result = run_cli("i18n", *args, env=env)
        assert result.returncode == 1 and result.stderr.startswith(message), result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_compile_writes_what_the_app_reads(tmp_path):
    import shutil

    folder = tmp_path / "translations"
    shutil.copytree(i18n_catalog.TRANSLATIONS_DIR, folder, ignore=shutil.ignore_patterns("*.mo"))
    built = i18n_catalog.compile_all(folder)
    assert [path.name for path in built] == ["messages.mo"] * len(LOCALES)
    assert all(path.stat().st_size > 1000 for path in built)
