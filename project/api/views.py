"""JSON API under /api/v1: bearer tokens, the current user, and the user's notes.

To add an endpoint: declare its schemas in schemas.py, then a MethodView here with
`@bp.arguments` (request), `@bp.response` (success), `@errors(...)` (documented failures)
and `@authenticated` when it needs a user (see "The JSON API" in README.md).
"""

from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from ..auth.emails import must_confirm_first
from ..auth.service import InvalidCredentials, Throttled, authenticate
from ..http_errors import abort_with
from ..notes import service as notes
from ..notices import send_notice
from . import bearer_tokens
from .auth import authentication_required, unauthorized
from .parser import JSONParser
from .schemas import (
    MAX_ID,
    NoteCreateSchema,
    NoteListArgsSchema,
    NotePageSchema,
    NoteSchema,
    NoteUpdateSchema,
    TokenListSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JSONParser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="Demo JSON API")

# Named responses (flask-smorest registers one per HTTP status, ours add headers).
RESPONSES = {
    400: "BAD_REQUEST",
    401: "Unauthenticated",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "Throttled",
}
BODY_ERRORS = (400, 413, 415, 422)


def errors(*codes: int):
    """Document the error responses an operation can give."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, response=RESPONSES[code])(view)
        return view

    return decorate


def authenticated(view):
    """Require a caller (token or session) and say so in the OpenAPI document."""
    view = authentication_required(view)
    view = bp.doc(security=[{"bearerAuth": []}])(view)
    return errors(401)(view)


ID = "<int(min=1, max=" + str(MAX_ID) + "):{}>"
NOTE_ID = "/notes/" + ID.format("note_id")


@bp.route("/tokens")
class Tokens(MethodView):
    @errors(401, 403, 429, *BODY_ERRORS)
    @bp.arguments(TokenRequestSchema, description="Your account's email and password")
    @bp.response(201, TokenSchema)
    def post(self, credentials):
        """Exchange email and password for a bearer token (the owner is told by mail)."""
        try:
            user = authenticate(credentials["email"], credentials["password"], request.remote_addr)
        except Throttled as exc:
            abort_with(429, "throttled", str(exc), headers={"Retry-After": str(exc.retry_after)})
        except InvalidCredentials as exc:
            unauthorized("invalid_credentials", str(exc), error=None)
        if must_confirm_first(user):  # as the login page: no access before the address works
            abort_with(403, "email_unconfirmed", gettext("confirm your email address first"))
        check_second_factor(user, credentials.get("otp"))
        ttl = current_app.config["API_TOKEN_TTL_SECONDS"]
        secret, token = bearer_tokens.issue_token(user, ttl)
        send_notice(user, "token_created")
        body = {"token": secret, "token_type": "Bearer", "expires_at": token.expires_at}
        return {**body, "expires_in": ttl}, 201, {"Cache-Control": "no-store"}

    @authenticated
    @bp.response(200, TokenListSchema)
    def get(self):
        """Your live tokens, newest first: when each was created, last used, and expires."""
        current = g.get("api_token")
        items = [token_info(token, current) for token in bearer_tokens.live_tokens(g.api_user)]
        return {"items": items}, 200, {"Cache-Control": "no-store"}

    @errors(400)
    @authenticated
    @bp.response(204)
    def delete(self):
        """Revoke every one of your tokens, the one this request was made with included."""
        bearer_tokens.revoke_all(g.api_user)


def token_info(token, current) -> dict:
    fields = ("id", "created_at", "last_used_at", "expires_at")
    info = {name: getattr(token, name) for name in fields}
    return {**info, "current": current is not None and token.id == current.id}


@bp.route("/tokens/" + ID.format("token_id"))
class TokenItem(MethodView):
    @errors(400, 404)
    @authenticated
    @bp.response(204)
    def delete(self, token_id):
        """Revoke one of your live tokens."""
        if not bearer_tokens.revoke_owned(g.api_user, token_id):
            abort_with(404, "not_found", gettext("you have no live token %(id)s", id=token_id))


def check_second_factor(user, code: str | None) -> None:
    """With two-factor sign-in on, a token needs a current code too (`otp`)."""
    from ..twofactor import service as second_factor

    if not second_factor.is_enabled(user):
        return
    if not code:
        unauthorized(
            "otp_required",
            gettext("this account needs a current two-factor code (otp)"),
            error=None,
        )
    try:
        second_factor.verify(user, code, request.remote_addr)
    except Throttled as exc:
        abort_with(429, "throttled", str(exc), headers={"Retry-After": str(exc.retry_after)})
    except second_factor.WrongCode as exc:
        unauthorized("invalid_otp", str(exc), error=None)


@bp.route("/tokens/current")
class CurrentToken(MethodView):
    @errors(400)
    @authenticated
    @bp.response(204)
    def delete(self):
        """Revoke the bearer token this request was made with."""
        token = g.get("api_token")
        if token is None:
            unauthorized(
                "token_required", gettext("only a bearer token can be revoked"), error=None
            )
        bearer_tokens.revoke(token)


@bp.route("/me")
class Me(MethodView):
    @authenticated
    @bp.response(200, UserSchema)
    def get(self):
        """The authenticated user."""
        return g.api_user


@bp.route("/notes")
class Notes(MethodView):
    @errors(400, 422)
    @authenticated
    @bp.arguments(NoteListArgsSchema, location="query")
    @bp.response(200, NotePageSchema)
    def get(self, args):
        """Your notes, newest first, a page at a time (keyset cursor)."""
        items, next_cursor = notes.list_notes(g.api_user, args["limit"], args.get("cursor"))
        return {"items": items, "next_cursor": next_cursor}

    @errors(*BODY_ERRORS)
    @authenticated
    @bp.arguments(NoteCreateSchema)
    @bp.response(201, NoteSchema)
    def post(self, data):
        """Create a note."""
        return notes.create_note(g.api_user, data["title"], data["body"])


@bp.route(NOTE_ID)
class NoteItem(MethodView):
    @errors(404)
    @authenticated
    @bp.response(200, NoteSchema)
    def get(self, note_id):
        """One of your notes."""
        return owned_note(note_id)

    @errors(404, *BODY_ERRORS)
    @authenticated
    @bp.arguments(NoteUpdateSchema)
    @bp.response(200, NoteSchema)
    def patch(self, changes, note_id):
        """Change a note's title and/or body."""
        return notes.update_note(owned_note(note_id), changes)

    @errors(400, 404)
    @authenticated
    @bp.response(204)
    def delete(self, note_id):
        """Delete a note."""
        notes.delete_note(owned_note(note_id))


def owned_note(note_id: int):
    """The caller's note `note_id`, else 404: someone else's looks the same as none."""
    try:
        return notes.owned_note(g.api_user, note_id)
    except notes.NoteNotFound as exc:
        abort_with(404, "not_found", str(exc))
