"""What a fresh interpreter has imported after a statement: for the tests of what gunicorn's
master and its workers load (a test's own process has imported far more)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from project.config import PROJECT_ROOT


def imported_after(statement: str, var_dir) -> set[str]:
    """Module names in sys.modules after running `statement` under the test config."""
    probe = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "APP_CONFIG": "test", "APP_VAR_DIR": str(var_dir)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))
