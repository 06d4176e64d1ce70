"""The OpenAPI document: what it promises, and a schemathesis run holding the API to it."""

import os
import re
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from devkit.accounts import make_user
from devkit.api import bearer
from project.api.bearer_tokens import hash_token
from project.api.schemas import NoteCreateSchema, NoteUpdateSchema
from project.app import create_app
from project.models import ApiToken, Note, utcnow

HOUR = timedelta(hours=1)

OPERATIONS = [
    ("/api/v1/tokens", "post"),
    ("/api/v1/tokens", "get"),
    ("/api/v1/tokens", "delete"),
    ("/api/v1/tokens/{token_id}", "delete"),
    ("/api/v1/tokens/current", "delete"),
    ("/api/v1/me", "get"),
    ("/api/v1/notes", "get"),
    ("/api/v1/notes", "post"),
    ("/api/v1/notes/{note_id}", "get"),
    ("/api/v1/notes/{note_id}", "patch"),
    ("/api/v1/notes/{note_id}", "delete"),
]


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_lists_every_operation(spec):
    assert spec["openapi"].startswith("3.")
    assert {(path, method) for path in spec["paths"] for method in spec["paths"][path]} >= set(
        OPERATIONS
    )


def test_declares_the_bearer_scheme_on_protected_operations(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for path, method in OPERATIONS[1:]:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in operation["responses"]


def test_request_bodies_are_required(spec):
    for path, method in OPERATIONS:
        body = spec["paths"][path][method].get("requestBody")
        if body is not None:
            assert body["required"] is True, (path, method)


@pytest.mark.parametrize(
    "path, method, codes",
    [
        ("/api/v1/tokens", "post", {"201", "400", "401", "403", "413", "415", "422", "429"}),
        ("/api/v1/tokens", "get", {"200", "401"}),
        ("/api/v1/tokens", "delete", {"204", "400", "401"}),
        ("/api/v1/tokens/{token_id}", "delete", {"204", "400", "401", "404"}),
        ("/api/v1/notes", "get", {"200", "400", "401", "422"}),
        ("/api/v1/notes", "post", {"201", "400", "401", "413", "415", "422"}),
        ("/api/v1/notes/{note_id}", "get", {"200", "401", "404"}),
        ("/api/v1/notes/{note_id}", "patch", {"200", "400", "401", "404", "413", "415", "422"}),
        ("/api/v1/notes/{note_id}", "delete", {"204", "400", "401", "404"}),
    ],
)
def test_documents_the_error_responses(spec, path, method, codes):
    """Exactly the statuses each operation can give (F-23: notes never answer 403)."""
    assert set(spec["paths"][path][method]["responses"]) == codes


def test_error_responses_share_the_error_schema(spec):
    responses = spec["components"]["responses"]
    for name in ("Unauthenticated", "Throttled", "NOT_FOUND", "UNPROCESSABLE_ENTITY"):
        schema = responses[name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["Throttled"]["headers"]
    assert "WWW-Authenticate" in responses["Unauthenticated"]["headers"]


def document_app():
    """An app that only serves the document: its in-memory database is never opened."""
    return create_app("test", overrides={"DATABASE_URL": "sqlite:///:memory:"})


# Loaded at import so `parametrize` can make one test per operation; the calls themselves go
# to each test's own `app` (schemathesis' fixture-based loader does not run on pytest 9).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", document_app())


# The token schemathesis sends; the `fuzz_user` fixture stores its hash for each test's app.
FUZZ_TOKEN = "schemathesis-fuzz-token"


@schema.auth()
class FuzzToken:
    """Declared as schemathesis auth (not a fixed header) so its missing-auth cases stay so."""

    def get(self, case, context):
        return FUZZ_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), **bearer(data)}


@pytest.fixture
def fuzz_user(app):
    """Owner of FUZZ_TOKEN and of notes 1..3, so item operations reach their 2xx paths."""
    user = make_user(app)
    with app.app_context():
        ApiToken.create(user=user, token_hash=hash_token(FUZZ_TOKEN), expires_at=utcnow() + HOUR)
        for title in ("one", "two", "three"):
            Note.create(owner=user, title=title)
    return user


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_document(case, app, fuzz_user):
    """No 5xx, and every response (status, headers, body) is one the document allows."""
    case.call_and_validate(app=app)


TITLE_SAMPLES = [
    *(chr(code) for code in range(0x10000) if chr(code).isspace()),
    "\ufeff",  # JSON Schema's \s has it, str.strip() keeps it: a visible title here
    "",
    "a",
    "  a\t",
    "\x00",
    "a\x00",
    "\u3000笔记\u3000",
]


def test_the_documented_title_pattern_is_the_rule_the_api_applies(app):
    """A client that validates against the document sends exactly what the API accepts
    (schemathesis found "   ": documented as valid, refused as blank)."""
    spec = app.test_client().get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    for name, schema in (("NoteCreate", NoteCreateSchema()), ("NoteUpdate", NoteUpdateSchema())):
        pattern = schemas[name]["properties"]["title"]["pattern"]
        disagree = [
            title
            for title in TITLE_SAMPLES
            if (re.fullmatch(pattern, title) is not None) != (not schema.validate({"title": title}))
        ]
        assert disagree == [], name
