"""Rules of the test suite itself: test helpers live in devkit/, so no test module imports
another (a test file changed for its own sake would break the others)."""

from __future__ import annotations

import ast

from project.config import PROJECT_ROOT


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.add("." * node.level + (node.module or ""))
    return found


def test_no_test_module_imports_another():
    offenders = {
        f"{path.relative_to(PROJECT_ROOT)}: {module}"
        for path in (PROJECT_ROOT / "tests").rglob("*.py")
        for module in imported_modules(path)
        if module == "tests" or module.startswith(("tests.", "."))
    }
    assert not offenders, f"move shared test code to devkit/: {sorted(offenders)}"
