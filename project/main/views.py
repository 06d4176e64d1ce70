"""Public pages and the health check."""

from flask import Blueprint, jsonify, render_template

from ..database import can_query

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    """200 when the app can query its database, 503 otherwise (for supervisors and balancers)."""
    if can_query():
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason="database"), 503
