"""Find text in a Jinja template that no translator will see (for tests/unit/test_translations).

The template is lexed by Jinja itself: what is left outside tags, expressions, comments and
{% trans %} blocks is literal text; in it, HTML tags are dropped except the attributes a
reader sees or hears (aria-label, placeholder, title, alt). Whatever still holds a letter
is unmarked user-facing text.
"""

from __future__ import annotations

import html
import re

import jinja2

# A stand-in for each expression or tag, so text on either side does not run together.
HOLE = "\x00"
TAG = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S | re.I)
VISIBLE_ATTRIBUTE = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', re.I)
LETTER = re.compile(r"[^\W\d_]")
ENV = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # lexing only


def literal_text(source: str) -> str:
    """The template's literal text, HOLE where Jinja syntax was, {% trans %} bodies dropped."""
    parts, depth, previous = [], 0, None
    for _, kind, value in ENV.lex(source):
        if kind == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            depth += 1 if value == "trans" else -1
        if kind == "data" and depth == 0:
            parts.append(value)
        elif not parts or parts[-1] != HOLE:
            parts.append(HOLE)
        if kind != "whitespace":
            previous = kind
    return "".join(parts)


def unmarked_text(source: str) -> list[str]:
    """Each run of unmarked user-facing text in `source`, stripped."""
    text = literal_text(source)
    found = [value for value in VISIBLE_ATTRIBUTE.findall(text)]
    found += TAG.sub(HOLE, text).split(HOLE)
    runs = (" ".join(html.unescape(run).split()) for run in found)
    return [run for run in runs if LETTER.search(run)]
