"""The build-time half: manifest, gzip copies, template checks, and the build script's errors."""

import gzip
import json
import os
import re
import shutil
import subprocess

import jinja2
import pytest

from project import assets_build, devtools
from project.assets import BUNDLES, MANIFEST, AssetError
from project.assets_build import publish, reference_problems
from project.config import PROJECT_ROOT

BIG_CSS = "a { color: red; }\n" * 100


@pytest.fixture
def tree(tmp_path):
    """A project-shaped folder: static/ with built bundles, and templates/."""
    static = tmp_path / "project" / "static"
    for output in BUNDLES.values():
        (static / output).parent.mkdir(parents=True, exist_ok=True)
        (static / output).write_text(BIG_CSS)
    (static / "gen" / ".build-fingerprint").write_text("x")
    (static / "img").mkdir()
    (static / "img" / "logo.png").write_bytes(bytes(range(256)))
    (tmp_path / "project" / "templates").mkdir()
    return static


def write_template(static, text):
    (static.parent / "templates" / "page.html").write_text(text)


def test_manifest_lists_every_file_with_its_content_hash(tree):
    versions = publish(str(tree))
    assert set(versions) == {*BUNDLES.values(), "img/logo.png"}
    for name, version in versions.items():
        assert version == assets_build.file_version(tree / name)  # webassets agrees with md5
    assert json.loads((tree / MANIFEST).read_text()) == versions


def test_unchanged_manifest_is_not_rewritten(tree):
    publish(str(tree))
    before = (tree / MANIFEST).stat().st_mtime_ns
    publish(str(tree))
    assert (tree / MANIFEST).stat().st_mtime_ns == before


def test_gzip_copies_are_deterministic_and_only_where_they_pay(tree):
    (tree / "gen" / "tiny.js").write_text("x=1")
    publish(str(tree))
    packed = (tree / "gen" / "css" / "app.css.gz").read_bytes()
    assert gzip.decompress(packed).decode() == BIG_CSS
    assert not (tree / "gen" / "tiny.js.gz").exists()
    os.utime(tree / "gen" / "css" / "app.css", (0, 0))
    publish(str(tree))
    assert (tree / "gen" / "css" / "app.css.gz").read_bytes() == packed


def test_stale_gzip_copies_are_removed(tree):
    (tree / "gen" / "old.js.gz").write_bytes(gzip.compress(b"old"))
    publish(str(tree))
    assert not (tree / "gen" / "old.js.gz").exists()


def test_missing_bundle_fails_the_build(tree):
    (tree / BUNDLES["js"]).unlink()
    with pytest.raises(AssetError, match=r"'js'.*was not built"):
        publish(str(tree))


def test_template_naming_a_missing_asset_fails_the_build(tree, capsys):
    write_template(tree, "{{ static_url('img/nope.png') }}")
    assert assets_build.main(["publish", str(tree)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "page.html: static_url('img/nope.png')" in error


def test_template_naming_present_assets_builds(tree):
    write_template(tree, "{{ static_url('img/logo.png') }}{{ asset_urls('css') }}")
    publish(str(tree))


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ static_url('missing.png') }}", "static_url('missing.png') names no file"),
        ("{{ asset_urls('nope') }}", "asset_urls('nope') names no bundle"),
        ("{{ url_for('static', filename='a.css') }}", "url_for('static') gives no hash"),
    ],
)
def test_reference_problems(source, problem):
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": source}), autoescape=True)
    problems = reference_problems(env, {})
    assert len(problems) == 1 and problems[0].startswith(f"t.html: {problem}")


def test_project_templates_name_only_built_assets(app):
    """Every literal asset name in every template (all blueprints) is in the real manifest."""
    manifest = json.loads((PROJECT_ROOT / "project" / "static" / MANIFEST).read_text())
    assert reference_problems(app.jinja_env, manifest) == []


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_or_style(app):
    """The CSP (script-src 'self'; style-src 'self') would block them."""
    found = []
    # The app's own templates (not those of third-party blueprints such as flask-smorest's).
    for name in app.jinja_loader.list_templates():
        source = app.jinja_loader.get_source(app.jinja_env, name)[0]
        found += [f"{name}: {what}" for pattern, what in INLINE if pattern.search(source)]
    assert found == []


def restricted_path(tmp_path, without):
    """A PATH holding the tools scripts/build-assets uses, minus `without`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tools = ["bash", "env", "cat", "cut", "find", "sort", "xargs", "sha256sum", "dirname"]
    for tool in [*tools, "node", "npm"]:
        if tool not in without:
            (bin_dir / tool).symlink_to(shutil.which(tool))
    return str(bin_dir)


@pytest.mark.parametrize(("missing", "message"), [("node", "node not found"), ("npm", "npm not")])
def test_build_without_node_is_one_clear_line(tmp_path, missing, message):
    root = tmp_path / "copy"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "package-lock.json", root)
    env = {"PATH": restricted_path(tmp_path, {missing}), "ASSETS_ROOT": str(root)}
    result = subprocess.run(
        [PROJECT_ROOT / "scripts" / "build-assets"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1


def test_build_never_reinstalls_through_a_linked_node_modules(tmp_path):
    """`npm ci` empties node_modules first: through a link, another checkout's folder."""
    other = tmp_path / "other" / "node_modules"
    other.mkdir(parents=True)
    (other / ".install-fingerprint").write_text("an older lock file\n")
    root = tmp_path / "copy"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "package-lock.json", root)
    (root / "node_modules").symlink_to(other)
    result = subprocess.run(
        [PROJECT_ROOT / "scripts" / "build-assets"],
        env={**os.environ, "ASSETS_ROOT": str(root)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: node_modules is a link to {other}")
    assert result.stderr.count("\n") == 1
    assert [p.name for p in other.iterdir()] == [".install-fingerprint"]
    assert (other / ".install-fingerprint").read_text() == "an older lock file\n"


def test_watcher_runs_only_in_the_reloader_parent(monkeypatch):
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert devtools.start_asset_watcher() is None
