"""Fast checks of the README walk-through's markers against this checkout (the integration
test applies them to a copy and runs the result)."""

import pytest

from devkit.walkthrough import Step, WalkthroughError, edited_text, parse_steps
from project.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def current(step: Step) -> str | None:
    path = PROJECT_ROOT / step.path
    return path.read_text() if path.exists() else None


def test_every_marker_parses_and_applies_to_this_checkout():
    steps = parse_steps(README)
    assert {step.action for step in steps} == {"create", "append", "insert-after"}
    for step in steps:
        edited_text(step, current(step))  # raises on a missing file or anchor


def test_markers_that_do_not_parse_are_errors():
    with pytest.raises(WalkthroughError, match="2 markers but 1 parse"):
        parse_steps(
            "<!-- walkthrough: create a.py -->\n```python\nx = 1\n```\n"
            "<!-- walkthrough: crate b.py -->\n```python\ny = 1\n```\n"
        )


def test_insert_after_needs_exactly_one_anchor_line():
    step = Step("insert-after", "a.py", "x,", "    y,\n")
    assert edited_text(step, "L = [\n    x,\n]\n") == "L = [\n    x,\n    y,\n]\n"
    with pytest.raises(WalkthroughError, match="2 lines"):
        edited_text(step, "x,\nx,\n")


def test_create_refuses_an_existing_file_and_append_a_missing_one():
    with pytest.raises(WalkthroughError, match="exists"):
        edited_text(Step("create", "a.py", None, "x = 1\n"), "")
    with pytest.raises(WalkthroughError, match="no such file"):
        edited_text(Step("append", "a.py", None, "x = 1\n"), None)
