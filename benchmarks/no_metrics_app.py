"""The bundle's app with the metrics layer taken off: the "without" side of the metrics cost.

Everything else is the real app (same config, database, templates); only the outermost WSGI
layer (project/metrics_wsgi.py) and its before_request hook are removed.
"""

from project.metrics_wsgi import MetricsMiddleware, remember_route
from project.wsgi import app

if isinstance(app.wsgi_app, MetricsMiddleware):
    app.wsgi_app = app.wsgi_app.wsgi_app
    app.before_request_funcs[None].remove(remember_route)
