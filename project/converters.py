"""URL converters for the HTML routes (the API declares its own ranges)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from .models import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id, 1..MAX_ID. A larger number can match no row and would overflow
    the database's integer (a 500 with a traceback): it is a 404 before the view runs."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
