"""Notes as plain functions, shared by the JSON API and the HTML page."""

from __future__ import annotations

from flask_babel import gettext as _

from ..models import Note, User, utcnow
from ..user_errors import UserError


class NoteNotFound(UserError):
    def __init__(self, note_id: int):
        super().__init__(_("there is no note %(id)s", id=note_id))


def list_notes(owner: User, limit: int, before_id: int | None = None):
    """Up to `limit` of the owner's notes, newest first, with ids below `before_id`.

    Returns (notes, next_cursor); next_cursor is None on the last page. Keyset pagination on
    the (owner, id) index stays fast and stable however deep the client pages.
    """
    query = Note.select().where(Note.owner == owner)
    if before_id is not None:
        query = query.where(Note.id < before_id)
    notes = list(query.order_by(Note.id.desc()).limit(limit + 1))
    if len(notes) > limit:
        return notes[:limit], notes[limit - 1].id
    return notes, None


def create_note(owner: User, title: str, body: str = "") -> Note:
    return Note.create(owner=owner, title=title, body=body)


def owned_note(owner: User, note_id: int) -> Note:
    """The owner's note `note_id`; NoteNotFound if missing or someone else's (the same
    answer for both, so nobody learns which ids other users' notes have)."""
    note = Note.get_or_none((Note.id == note_id) & (Note.owner == owner.id))
    if note is None:
        raise NoteNotFound(note_id)
    return note


def update_note(note: Note, changes: dict) -> Note:
    """Apply the given title/body changes and bump updated_at."""
    for name in ("title", "body"):
        if name in changes:
            setattr(note, name, changes[name])
    note.updated_at = utcnow()
    note.save()
    return note


def delete_note(note: Note) -> None:
    note.delete_instance()
