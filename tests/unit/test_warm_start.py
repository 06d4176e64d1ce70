"""`ctl start` skips its migration child only when nothing that child checks has changed."""

import dataclasses

import pytest

from devkit.testapp import TEST_DATABASE_URL
from project.deploy import warm_start
from project.deploy.settings import DeploySettings

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the skip is for SQLite only")


@pytest.fixture
def settings(app, tmp_path, database_url) -> DeploySettings:
    """A stopped site whose SQLite database the `app` fixture has migrated."""
    settings = DeploySettings(
        config_name="test",
        environment={"APP_DATABASE_URL": database_url},
        var_dir=str(tmp_path / "var"),
    )
    settings.layout.run_dir.mkdir(parents=True, exist_ok=True)
    return settings


def test_only_after_a_start_that_served(settings, database_url):
    assert not warm_start.nothing_to_check(settings, database_url)  # first start
    warm_start.remember_served(settings, database_url)
    assert warm_start.nothing_to_check(settings, database_url)


def test_changed_code_runs_the_child(settings, database_url, monkeypatch):
    warm_start.remember_served(settings, database_url)
    monkeypatch.setattr(warm_start, "loaded_code_fingerprint", lambda folder: "a new release")
    assert not warm_start.nothing_to_check(settings, database_url)


def test_changed_settings_run_the_child(settings, database_url):
    warm_start.remember_served(settings, database_url)
    changed = dataclasses.replace(
        settings, environment={**settings.environment, "APP_MAIL_SERVER": "smtp.example.com"}
    )
    assert not warm_start.nothing_to_check(changed, database_url)


def test_a_pending_migration_runs_the_child(settings, database_url, monkeypatch):
    warm_start.remember_served(settings, database_url)
    monkeypatch.setattr(warm_start.schema, "is_current", lambda *args: False)
    assert not warm_start.nothing_to_check(settings, database_url)
