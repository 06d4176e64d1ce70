"""Whether `ctl start` may skip its migration child: nothing that child checks has changed.

The child builds the whole app with the workers' settings (~1.2 s of CPU) to apply the
migrations, which also proves the app still imports: a broken release fails there with its
error in one line, before supervisord starts. On a warm start it finds nothing to do, so it
is skipped when both hold: the SQLite file has every migration (schema.is_current), and the
code, the requirements and the app's settings are those of the last start that served
/healthz (this fingerprint, written then). Anything else runs the child as before.
"""

from __future__ import annotations

import hashlib
import json

from ..codeversion import loaded_code_fingerprint
from . import schema
from .settings import DeploySettings


def fingerprint(settings: DeploySettings, database_url: str) -> str:
    requirements = settings.root / "requirements.txt"
    parts = {
        "code": loaded_code_fingerprint(settings.layout.package_dir),
        "requirements": requirements.read_text() if requirements.exists() else "",
        "config": settings.config_name,
        "environment": settings.app_environment(),
        "database": database_url,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def nothing_to_check(settings: DeploySettings, database_url: str) -> bool:
    layout = settings.layout
    if not schema.is_current(database_url, layout.migrations_dir, settings.root):
        return False
    try:
        served = layout.served_fingerprint.read_text().strip()
    except OSError:
        return False
    return served == fingerprint(settings, database_url)


def remember_served(settings: DeploySettings, database_url: str) -> None:
    """After /healthz answered: this code, with these settings, builds and serves."""
    path = settings.layout.served_fingerprint
    path.write_text(fingerprint(settings, database_url) + "\n")
