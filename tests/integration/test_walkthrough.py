"""The README's "Add a feature" walk-through, applied verbatim to a copy of the project: its
code must lint clean, migrate, and pass its own tests and the API's OpenAPI conformance run."""

from __future__ import annotations

import pytest

from devkit.bundle import clean_environment
from devkit.cli import run_python
from devkit.sandbox import copy_project
from devkit.walkthrough import apply_steps, parse_steps
from project.config import PROJECT_ROOT

pytestmark = pytest.mark.integration

STEPS = parse_steps((PROJECT_ROOT / "README.md").read_text())
NEW_TESTS = [step.path for step in STEPS if step.path.startswith("tests/")]
# schemathesis holds every endpoint, the new one too, to the OpenAPI document.
API_CONFORMANCE = "tests/unit/test_api_openapi.py"
# Every model's columns must be the columns its table got from the migrations.
SCHEMA_MATCHES_MODELS = """
from project.app import create_app
from project.extensions import db
from project.models import MODELS

with create_app().app_context():
    for model in MODELS:
        columns = {column.name for column in db.get_columns(model._meta.table_name)}
        fields = {field.column_name for field in model._meta.sorted_fields}
        assert columns == fields, (model.__name__, sorted(columns ^ fields))
"""


class FeatureCopy:
    def __init__(self, tmp_path):
        self.root = copy_project(tmp_path / "proj")
        self.touched = apply_steps(self.root, STEPS)
        self.env = clean_environment({"APP_VAR_DIR": str(tmp_path / "var")})

    def run(self, *args: str, timeout: float = 600) -> str:
        """Run the copy's Python (cwd in the copy, so its own package is imported)."""
        result = run_python(self.root, *args, env=self.env, timeout=timeout)
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def python_files(self) -> list[str]:
        return [str(path) for path in self.touched if path.suffix == ".py"]


@pytest.fixture(scope="module")
def feature(tmp_path_factory):
    return FeatureCopy(tmp_path_factory.mktemp("walkthrough"))


def test_the_walkthrough_has_a_test_file(feature):
    assert NEW_TESTS and all((feature.root / path).is_file() for path in NEW_TESTS)


def test_its_code_is_lint_clean_and_formatted(feature):
    feature.run("-m", "ruff", "check", *feature.python_files())
    feature.run("-m", "ruff", "format", "--check", *feature.python_files())


def test_its_migration_applies_and_matches_the_models(feature):
    applied = feature.run("-m", "project.cli", "migrate")
    new = [step.path for step in STEPS if step.path.startswith("project/migrations/")]
    assert all(path.rsplit("/", 1)[1].removesuffix(".py") in applied for path in new)
    feature.run("-c", SCHEMA_MATCHES_MODELS)


def test_its_tests_and_the_api_conformance_run_pass(feature):
    feature.run("-m", "pytest", "-q", "-p", "no:cacheprovider", *NEW_TESTS, API_CONFORMANCE)
