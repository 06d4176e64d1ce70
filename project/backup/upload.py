"""Off-host copies: APP_BACKUP_UPLOAD_CMD, run with the backup's path after each good backup."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

UPLOAD_TIMEOUT = 6 * 3600


def upload(command: str, path: Path) -> str:
    """Run `command PATH` (split like a shell line, no shell). Returns "" or why it failed."""
    args = [*shlex.split(command), str(path)]
    try:
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=UPLOAD_TIMEOUT, check=False
        )
    except FileNotFoundError:
        return f"upload command not found: {args[0]}"
    except subprocess.TimeoutExpired:
        return f"upload command still running after {UPLOAD_TIMEOUT} s: killed"
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return f"upload command exited {result.returncode}: {lines[-1] if lines else '(no output)'}"
    return ""
