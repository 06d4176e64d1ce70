"""Hot queries whose SQL text is built once per process, not on every request.

peewee rebuilds a query's SQL from its expression tree on each execution (the user lookup
alone makes ~70 nested `sql()` calls, far more than SQLite spends running it). A `Prepared`
query is built once with a distinct placeholder value per parameter; the positions where
those values land in peewee's parameter list are remembered, and each call binds the real
values there (converted by the same field's db_value) and reuses the text and peewee's own
row conversion. The cache is keyed by database class: SQLite and PostgreSQL differ in quoting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from peewee import DateTimeField, IntegerField

from .extensions import db


class Prepared:
    """`build(**values)` returns a peewee select; `params` maps each name to its field."""

    def __init__(self, build: Callable, **params):
        self.build = build
        self.params = params
        self.cache: dict[type, tuple] = {}

    def rows(self, **values) -> list:
        template, sql, slots, constants = self.prepared()
        bound = list(constants)
        for position, name in slots:
            bound[position] = self.params[name].db_value(values[name])
        cursor = db.execute_sql(sql, bound)
        return list(template._get_cursor_wrapper(cursor))

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None

    def prepared(self) -> tuple:
        kind = type(db.obj)
        if kind not in self.cache:
            self.cache[kind] = self.prepare()
        return self.cache[kind]

    def prepare(self) -> tuple:
        markers = {
            name: marker(field, number) for number, (name, field) in enumerate(self.params.items())
        }
        template = self.build(**markers)
        sql, constants = template.sql()
        converted = {name: self.params[name].db_value(value) for name, value in markers.items()}
        slots = [
            (position, name)
            for position, value in enumerate(constants)
            for name, mark in converted.items()
            if type(value) is type(mark) and value == mark
        ]
        if sorted(name for _, name in slots) != sorted(markers):
            raise ValueError(f"each parameter must appear once in {sql!r}")
        return template, sql, slots, constants


def marker(field, number: int):
    """A value of the field's type that no query constant will equal."""
    if isinstance(field, DateTimeField):
        return datetime(1901, 2, 3, 4, 5, 6, 700000 + number)
    if isinstance(field, IntegerField):
        return -918273645 - number
    return f"\x01prepared-{number}\x01"
