"""What a web worker imports at boot: libraries only some requests use wait for them."""

import json
import os
import subprocess
import sys

from project.config import PROJECT_ROOT

# Each costs MiB in every worker (no preload: nothing is shared with the master).
ON_FIRST_USE = ("webauthn", "sentry_sdk", "segno")


def test_the_app_imports_no_library_that_only_some_requests_need(tmp_path):
    probe = (
        "import json, sys; import project.wsgi; "
        f"print(json.dumps([m for m in {ON_FIRST_USE!r} if m in sys.modules]))"
    )
    env = {**os.environ, "APP_CONFIG": "test", "APP_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
