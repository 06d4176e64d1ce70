"""The production bundle: rendered configs for supervisord, gunicorn and nginx, and the
functions behind `scripts/ctl start|stop|reload|restart|status|check|gen-config`.

A docstring only: gunicorn's master imports `project.deploy.json_access_log`, and importing
this package must load nothing else.
"""
