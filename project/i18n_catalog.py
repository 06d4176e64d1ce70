"""The translation workflow under `scripts/ctl i18n`: pybabel's own commands, run in-process.

extract: every marked string of the code and templates into translations/messages.pot.
update: merge the template into each language's messages.po (new strings empty, changed
ones fuzzy: both need a translator, and tests/unit/test_translations.py fails until then).
compile: messages.po -> messages.mo, what the app reads (built by the bootstrap, not committed).
init: start the catalogue of a new language.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.frontend import CommandLineInterface

from .deploy.layout import PACKAGE_DIR, PROJECT_ROOT
from .user_errors import UserError

TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
TEMPLATE = TRANSLATIONS_DIR / "messages.pot"
MAPPING = PROJECT_ROOT / "babel.cfg"
# The marker names the code uses besides gettext/ngettext (flask_babel's lazy_gettext as _l).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


class CatalogError(UserError):
    """pybabel refused (its own messages are printed above this line)."""


def pybabel(*args: str) -> None:
    """Run one pybabel command; CatalogError when it fails."""
    status = CommandLineInterface().run(["pybabel", "-q", *args])
    if status:  # pybabel returns an exit status for some errors and raises for others
        raise CatalogError(f"pybabel {args[0]} failed")


def catalogues(folder: Path = TRANSLATIONS_DIR) -> list[Path]:
    return sorted(folder.glob("*/LC_MESSAGES/messages.po"))


def extract(output: Path = TEMPLATE) -> Path:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    # Run from the checkout so the template names files as project/…, not by absolute path.
    here = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        pybabel(
            "extract", "-F", str(MAPPING), *keywords, "-c", "TRANSLATORS:",
            "--add-location=file", "--sort-by-file", "--no-wrap",
            "-o", str(output), PACKAGE_DIR.name,
        )  # fmt: skip
    finally:
        os.chdir(here)
    return output


def update() -> list[Path]:
    """Merge messages.pot into every catalogue; obsolete entries are dropped (git keeps them)."""
    if not TEMPLATE.is_file():
        raise CatalogError(f"{TEMPLATE.relative_to(PROJECT_ROOT)} is missing: run i18n extract")
    pybabel(
        "update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS_DIR), "--ignore-obsolete",
        "--no-wrap",
    )  # fmt: skip
    return catalogues()


def compile_all(folder: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every catalogue (a fuzzy entry is left out: the English text shows instead)."""
    if not catalogues(folder):
        raise CatalogError(f"no catalogue under {folder}")
    pybabel("compile", "-d", str(folder))
    return [po.with_suffix(".mo") for po in catalogues(folder)]


def knows(locale: str) -> bool:
    """True for a code Babel reads as itself ("pt_BR"; "no_such" would read as "no")."""
    try:
        parsed = Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        return False
    return "_".join(filter(None, (parsed.language, parsed.territory))) == locale


def init(locale: str) -> Path:
    """Start `locale`'s catalogue from messages.pot (then add it to i18n.LANGUAGES)."""
    if not knows(locale):
        raise CatalogError(f"{locale!r} is not a locale Babel knows (e.g. fr, pt_BR)")
    target = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if target.exists():
        raise CatalogError(f"{target.relative_to(PROJECT_ROOT)} exists: use i18n update")
    if not TEMPLATE.is_file():
        raise CatalogError(f"{TEMPLATE.relative_to(PROJECT_ROOT)} is missing: run i18n extract")
    pybabel("init", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS_DIR), "-l", locale, "--no-wrap")
    return target


def main(argv: list[str]) -> int:
    """`python -m project.i18n_catalog compile [FOLDER]`: what scripts/build-translations runs."""
    if not argv or argv[0] != "compile" or len(argv) > 2:
        print("usage: python -m project.i18n_catalog compile [FOLDER]", file=sys.stderr)
        return 2
    try:
        built = compile_all(Path(argv[1]) if len(argv) == 2 else TRANSLATIONS_DIR)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"translations: {len(built)} catalogues compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
