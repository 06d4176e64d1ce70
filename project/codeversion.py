"""A fingerprint of the package's Python source, to prove which code a process runs.

`project.app` computes it once, when a worker imports it; `scripts/ctl reload` computes it
from the files on disk and requires every new worker to report the same value. A worker that
inherited modules from a master holding old code reports the old value, and reload fails
instead of claiming to serve new code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def loaded_code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 over every .py file of the package (path and content), first 16 hex digits."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(package_dir)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
