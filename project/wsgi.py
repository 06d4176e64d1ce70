"""Entry point for gunicorn: `gunicorn project.wsgi:app`. The config comes from APP_CONFIG."""

from .app import create_app

app = create_app()
