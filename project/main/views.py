"""Public pages and the health check."""

from flask import Blueprint, redirect, render_template

from ..assets import static_url

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by themselves (on the API's JSON too): the SVG answers."""
    return redirect(static_url("favicon.svg"), code=301)


# /healthz is answered in front of Flask: see project/health.py.
