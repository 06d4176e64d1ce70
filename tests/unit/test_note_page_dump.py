"""The fast page dump of GET /api/v1/notes equals marshmallow's walk over the same fields."""

import marshmallow as ma

from project.api.schemas import NotePageSchema
from project.models import Note
from project.notes.service import create_note, list_notes


def marshmallow_dump(page: dict) -> dict:
    return ma.Schema.dump(NotePageSchema(), page)


def test_page_dump_matches_marshmallow(app, user):
    with app.app_context():
        create_note(user, "é <b>&\"'", "line\nnext \u2028 \U0001f600")
        create_note(user, "second", "")
        Note.update(title="0").where(Note.title == "second").execute()
        for limit in (1, 5):
            items, cursor = list_notes(user, limit)
            page = {"items": items, "next_cursor": cursor}
            fast = NotePageSchema().dump(page)
            assert fast == marshmallow_dump(page)
            assert list(fast["items"][0]) == list(marshmallow_dump(page)["items"][0])
        assert NotePageSchema().dump({"items": [], "next_cursor": None}) == {
            "items": [],
            "next_cursor": None,
        }


def test_other_uses_still_go_through_marshmallow(app, user):
    with app.app_context():
        create_note(user, "one")
        items, cursor = list_notes(user, 5)
        page = {"items": items, "next_cursor": cursor}
        assert NotePageSchema(only=("next_cursor",)).dump(page) == {"next_cursor": None}
        assert NotePageSchema(many=True).dump([page]) == [marshmallow_dump(page)]
