"""Public pages and the health check."""

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


# /healthz is answered in front of Flask: see project/health.py.
