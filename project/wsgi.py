"""Entry point for gunicorn: `gunicorn project.wsgi:app`.

The config is APP_CONFIG's, else `prod`: a bare `gunicorn project.wsgi:app` must never serve
the debugger with the published development key (prod refuses to start without a real one).
"""

import os

from .app import create_app
from .config import choose_config_name

app = create_app(choose_config_name(None, os.environ, default="prod"))
