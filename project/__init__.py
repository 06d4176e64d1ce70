"""The web application package.

This file is a docstring only, on purpose: importing `project.anything` (gunicorn's config,
its logger class, the CLI) must load no application code. The factory is `project.app`.
"""
