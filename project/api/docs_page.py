"""/api/v1/docs: the OpenAPI document as a page people read (Swagger UI, see api/docs.html)."""

from __future__ import annotations

from flask import Blueprint, render_template

# A plain blueprint, not the API's: flask-smorest would list the page in the document.
bp = Blueprint("api_docs_page", __name__)


@bp.get("/docs")
def docs():
    return render_template("api/docs.html")
