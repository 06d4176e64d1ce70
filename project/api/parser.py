"""Request parsing rules shared by every API endpoint (a webargs parser for flask-smorest).

- A body must be declared `application/json` (else 415) and be a JSON document (else 400).
- A value of the wrong JSON type (a number for a string, an array for an object) is a
  malformed request: 400. A well-typed value breaking a rule (missing, too long) is 422.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ..http_errors import abort_with


class JSONParser(FlaskParser):
    def _raw_load_json(self, req):
        if not is_json_request(req):
            abort_with(415, "unsupported_media_type", gettext("send the body as application/json"))
        data = req.get_data(cache=True)  # raises 413 above MAX_CONTENT_LENGTH
        if not data.strip():
            abort_with(400, "malformed_json", gettext("the request body must be a JSON document"))
        return core.parse_json(data)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort_with(400, "malformed_json", gettext("the request body is not valid JSON"))

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        fields = field_messages(error.messages)
        if has_type_error(fields, schema):
            abort_with(400, "invalid_type", gettext("a value has the wrong type"), fields=fields)
        abort_with(422, "validation_failed", gettext("some values are not valid"), fields=fields)


def field_messages(messages: dict) -> dict:
    """{field: [message, ...]} across locations (webargs nests them as {"json": {...}})."""
    fields = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            fields.update(location_messages)
        else:
            fields["_schema"] = location_messages
    return fields


def has_type_error(fields: dict, schema: ma.Schema) -> bool:
    """True when a message is the field's (or the schema's) own wrong-type message."""
    for name, messages in fields.items():
        field = schema.fields.get(name)
        owner = field.error_messages if field else schema.error_messages
        wrong_type = {owner.get("invalid"), owner.get("null"), owner.get("type")} - {None}
        if isinstance(messages, list) and wrong_type.intersection(messages):
            return True
    return False
