"""What a web worker imports at boot: libraries only some requests use wait for them."""

from devkit.imports import imported_after

# Each costs MiB in every worker and is not among the libraries the master shares.
ON_FIRST_USE = ("webauthn", "sentry_sdk", "segno")


def test_the_app_imports_no_library_that_only_some_requests_need(tmp_path):
    loaded = imported_after("import project.wsgi", tmp_path)
    assert [name for name in ON_FIRST_USE if name in loaded] == []
