"""The libraries gunicorn's master imports for its workers to share, and how `reload` tells
that one changed on disk since (project/deploy/shared_libraries.py)."""

import json
import os

from devkit.imports import imported_after
from project.deploy.shared_libraries import PRELOAD, changed_files


def test_the_master_imports_no_app_code(tmp_path):
    statement = f"import importlib; [importlib.import_module(m) for m in {PRELOAD!r}]"
    loaded = imported_after(statement, tmp_path)
    assert {name for name in loaded if name.split(".")[0] == "project"} == set()


def test_every_preloaded_library_is_one_a_worker_imports_anyway(tmp_path):
    assert set(PRELOAD) - imported_after("import project.wsgi", tmp_path) == set()


def stamp(path) -> list[int]:
    stat = os.stat(path)
    return [stat.st_mtime_ns, stat.st_size]


def test_a_library_file_changed_or_gone_since_the_master_loaded_it(tmp_path):
    kept, upgraded, removed = (tmp_path / name for name in ("kept.py", "new.py", "gone.py"))
    for path in (kept, upgraded, removed):
        path.write_text("x = 1\n")
    record = tmp_path / "master-modules.json"
    libraries = {str(path): stamp(path) for path in (kept, upgraded, removed)}
    record.write_text(json.dumps({"pid": 1, "modules": [], "libraries": libraries}))
    assert changed_files(record) == []
    upgraded.write_text("x = 2  # a new version\n")
    removed.unlink()
    assert changed_files(record) == sorted([str(upgraded), str(removed)])


def test_no_record_means_nothing_to_compare(tmp_path):
    assert changed_files(tmp_path / "missing.json") == []
    (tmp_path / "old.json").write_text(json.dumps({"pid": 1, "modules": []}))
    assert changed_files(tmp_path / "old.json") == []
