"""The real front-end build (esbuild + publish) in a copy of the project's asset sources."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from devkit.sandbox import copy_node_modules
from project.assets import MANIFEST
from project.config import PROJECT_ROOT

BUILD_ASSETS = PROJECT_ROOT / "scripts" / "build-assets"


@pytest.fixture
def copy_root(tmp_path):
    """static_src/, package files, static/, templates and node_modules copied.

    The session's `built_assets` fixture has installed node_modules for this same lock file,
    so the copy's build does not run `npm ci`.
    """
    root = tmp_path / "copy"
    shutil.copytree(PROJECT_ROOT / "static_src", root / "static_src")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    static = PROJECT_ROOT / "project" / "static"
    shutil.copytree(static, root / "project" / "static", ignore=shutil.ignore_patterns("gen"))
    shutil.copytree(PROJECT_ROOT / "project" / "templates", root / "project" / "templates")
    assert (PROJECT_ROOT / "node_modules" / ".install-fingerprint").is_file()
    copy_node_modules(root)
    return root


def run_build(root, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSETS_ROOT": str(root), "ASSETS_PYTHON": sys.executable}
    return subprocess.run([BUILD_ASSETS, *args], env=env, capture_output=True, text=True)


def build(root, *args) -> subprocess.CompletedProcess:
    result = run_build(root, *args)
    assert result.returncode == 0, result.stderr
    return result


def manifest(root) -> dict:
    return json.loads((root / "project" / "static" / MANIFEST).read_text())


def changed(before: dict, after: dict) -> set:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def append(path, text):
    with path.open("a") as file:
        file.write(text)


def test_build_writes_bundles_gzip_and_manifest(copy_root):
    build(copy_root)
    gen = copy_root / "project" / "static" / "gen"
    assert (gen / "js" / "app.js").is_file() and (gen / "css" / "app.css").is_file()
    assert (gen / "js" / "app.js.gz").is_file() and (gen / "css" / "app.css.gz").is_file()
    assert set(manifest(copy_root)) >= {"gen/js/app.js", "gen/css/app.css", "favicon.svg"}


def test_changing_a_stylesheet_changes_only_the_css_hashes(copy_root):
    build(copy_root)
    before = manifest(copy_root)
    append(copy_root / "static_src" / "css" / "forms.css", "\n.extra { color: red; }\n")
    build(copy_root)
    assert changed(before, manifest(copy_root)) == {"gen/css/app.css", "gen/css/app.css.map"}


def test_changing_a_js_module_changes_only_the_js_hashes(copy_root):
    build(copy_root)
    before = manifest(copy_root)
    module = copy_root / "static_src" / "js" / "flash.js"
    source = module.read_text()
    assert "setTimeout(remove, 400)" in source  # the edit below must change the code
    module.write_text(source.replace("setTimeout(remove, 400)", "setTimeout(remove, 500)"))
    build(copy_root)
    assert changed(before, manifest(copy_root)) == {"gen/js/app.js", "gen/js/app.js.map"}


def test_changing_an_image_changes_only_its_hash(copy_root):
    build(copy_root)
    before = manifest(copy_root)
    append(copy_root / "project" / "static" / "favicon.svg", "<!-- new -->\n")
    build(copy_root, "--if-stale")
    assert changed(before, manifest(copy_root)) == {"favicon.svg"}


def test_rebuilding_unchanged_sources_keeps_every_hash(copy_root):
    build(copy_root)
    before = manifest(copy_root)
    build(copy_root)
    assert manifest(copy_root) == before


def test_another_folder_builds_the_same_hashes(copy_root):
    """Hosts deploying the same commit in different paths render the same URLs."""
    build(copy_root)
    real = json.loads((PROJECT_ROOT / "project" / "static" / MANIFEST).read_text())
    assert manifest(copy_root) == real


def test_if_stale_skips_a_fresh_build_and_rebuilds_a_missing_one(copy_root):
    build(copy_root)
    assert build(copy_root, "--if-stale").stderr == ""
    shutil.rmtree(copy_root / "project" / "static" / "gen")
    assert "building" in build(copy_root, "--if-stale").stderr
    assert manifest(copy_root)


def test_removed_entry_output_leaves_the_manifest(copy_root):
    build(copy_root)
    stray = copy_root / "project" / "static" / "gen" / "js" / "old.js"
    stray.write_text("console.log('from an older build');\n" * 20)
    build(copy_root)
    assert not stray.exists() and "gen/js/old.js" not in manifest(copy_root)


def test_template_naming_a_missing_asset_fails_the_build(copy_root):
    page = copy_root / "project" / "templates" / "broken.html"
    page.write_text("{{ static_url('img/missing.png') }}")
    result = run_build(copy_root)
    assert result.returncode == 1
    assert "broken.html: static_url('img/missing.png')" in result.stderr


def test_source_error_fails_the_build_and_keeps_the_last_manifest(copy_root):
    build(copy_root)
    before = manifest(copy_root)
    append(copy_root / "static_src" / "js" / "confirm.js", "\nexport function broken( {\n")
    result = run_build(copy_root)
    assert result.returncode == 1
    assert "confirm.js" in result.stderr and "npm run build failed" in result.stderr
    assert manifest(copy_root) == before
