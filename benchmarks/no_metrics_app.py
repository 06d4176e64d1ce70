"""The bundle's app with the metrics layer taken off: the "without" side of the metrics cost.

Everything else is the real app (same config, database, templates); only the outermost WSGI
layer (project/metrics_wsgi.py) and its request class, which leaves the URL rule for it, are
removed.
"""

from flask import Request

from project.metrics_wsgi import MetricsMiddleware
from project.wsgi import app

if isinstance(app.wsgi_app, MetricsMiddleware):
    app.wsgi_app = app.wsgi_app.wsgi_app
    app.request_class = Request
