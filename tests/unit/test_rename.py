"""The rename's rules: which names it accepts, which text it rewrites, when it refuses.

Strings are built from PACKAGE so these tests keep passing after the project is renamed.
"""

import subprocess

import pytest

from project.rename import PACKAGE, RenameError, check_clean, check_name, references, rename

P = PACKAGE


def rewritten(text: str) -> str:
    return references(P).sub("newname", text)


@pytest.mark.parametrize(
    "before, after",
    [
        (f"from {P}.models import User", "from newname.models import User"),
        (f"from {P} import create_app", "from newname import create_app"),
        (f"import {P}", "import newname"),
        (f"exec python -m {P}.cli start", "exec python -m newname.cli start"),
        (f'"wsgi_app": "{P}.wsgi:app"', '"wsgi_app": "newname.wsgi:app"'),
        (f'root / "{P}" / "static"', 'root / "newname" / "static"'),
        (f"`{P}/config.py`, /{P}/static/gen/", "`newname/config.py`, /newname/static/gen/"),
        (f"the app's `{P}` logger", "the app's `newname` logger"),
        (f"name = {P}\ninclude = {P}, {P}.*", "name = newname\ninclude = newname, newname.*"),
        (f"{P}-ctl = {P}.cli:main", "newname-ctl = newname.cli:main"),
        (f'"name": "{P}-assets"', '"name": "newname-assets"'),
    ],
)
def test_rewrites_references_to_the_package(before, after):
    assert rewritten(before) == after


@pytest.mark.parametrize(
    "prose",
    [
        f"every process of the {P} exits.",
        f"a {P}-shaped folder",
        f"flask{P}-in-production",
        f"sqlite:///<{P}>/var/data/app.db",
        f"the {P}'s socket",
        "PROJECT_ROOT / 'var'",
    ],
)
def test_leaves_other_uses_of_the_word_alone(prose):
    assert rewritten(prose) == prose


@pytest.mark.parametrize(
    "name, problem",
    [
        ("My-App", "not a lowercase Python identifier"),
        ("class", "not a lowercase Python identifier"),
        ("9lives", "not a lowercase Python identifier"),
        (P, "already named"),
        ("json", "standard library"),
        ("tests", "folder of the project"),
        ("flask", "installed module"),
    ],
)
def test_refuses_unusable_names(name, problem, tmp_path):
    (tmp_path / "tests").mkdir()
    with pytest.raises(RenameError, match=problem):
        check_name(name, tmp_path)


def git(root, *args):
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)


def small_checkout(root):
    """A committed package folder, a script and a doc that refer to it."""
    (root / P).mkdir(parents=True)
    (root / P / "__init__.py").write_text(f"from {P}.core import run\n\nrun()\n")
    (root / "ctl").write_text(f"python -m {P}.cli\n")
    (root / "README.md").write_text(f"The {P} runs `{P}/core.py`.\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def test_refuses_outside_git_and_on_uncommitted_changes(tmp_path):
    with pytest.raises(RenameError, match="not a git checkout"):
        check_clean(tmp_path)
    small_checkout(tmp_path)
    (tmp_path / "notes.txt").write_text("draft")
    with pytest.raises(RenameError, match="uncommitted changes"):
        check_clean(tmp_path)


def test_moves_the_package_and_rewrites_its_references(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))  # no saved bundle: not running
    root = small_checkout(tmp_path / "checkout")
    (root / P / "__pycache__").mkdir()
    changed, lint = rename("newname", root)
    assert sorted(changed) == [root / "README.md", root / "ctl", root / "newname/__init__.py"]
    assert lint == ""
    assert not (root / P).exists() and not (root / "newname" / "__pycache__").exists()
    assert (
        root / "newname" / "__init__.py"
    ).read_text() == "from newname.core import run\n\nrun()\n"
    assert (root / "README.md").read_text() == f"The {P} runs `newname/core.py`.\n"
