"""The README's "Add a feature" walk-through as data: steps parsed from its marked code blocks.

A step is an HTML comment naming what to do with the fenced block that follows it:
    <!-- walkthrough: create PATH -->         the block is the whole new file
    <!-- walkthrough: append PATH -->         the block goes at the end of the file
    <!-- walkthrough: insert-after PATH LINE --> the block goes after the one line reading LINE
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = "<!-- walkthrough:"
STEP = re.compile(
    r"<!-- walkthrough: (?P<action>create|append|insert-after) (?P<path>\S+)"
    r"(?: (?P<anchor>[^\n]+?))? -->\n```[\w-]*\n(?P<block>.*?)```",
    re.DOTALL,
)


class WalkthroughError(AssertionError):
    """The README's markers do not describe an edit that can be made."""


@dataclass(frozen=True)
class Step:
    action: str
    path: str
    anchor: str | None
    block: str


def parse_steps(markdown: str) -> list[Step]:
    """Every marked block, in order; an unparsable marker is an error, never skipped."""
    steps = [Step(m["action"], m["path"], m["anchor"], m["block"]) for m in STEP.finditer(markdown)]
    if len(steps) != markdown.count(MARKER):
        raise WalkthroughError(f"{markdown.count(MARKER)} markers but {len(steps)} parse")
    return steps


def edited_text(step: Step, current: str | None) -> str:
    """The file's text after `step`; `current` is None when the file does not exist."""
    if step.action == "create":
        if current is not None:
            raise WalkthroughError(f"create {step.path}: the file exists")
        return step.block
    if current is None:
        raise WalkthroughError(f"{step.action} {step.path}: no such file")
    if step.action == "append":
        # Two blank lines: the blocks appended are top-level Python definitions (PEP 8).
        return current.rstrip("\n") + "\n\n\n" + step.block
    return inserted_after(current, step)


def inserted_after(current: str, step: Step) -> str:
    lines = current.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.strip() == step.anchor]
    if len(hits) != 1:
        raise WalkthroughError(f"{step.path}: {len(hits)} lines read {step.anchor!r}, not 1")
    at = hits[0] + 1
    return "".join([*lines[:at], step.block, *lines[at:]])


def apply_steps(root: Path, steps: list[Step]) -> list[Path]:
    """Make every step's edit under `root`; returns the files touched."""
    touched = []
    for step in steps:
        path = root / step.path
        current = path.read_text() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edited_text(step, current))
        touched.append(path)
    return touched
