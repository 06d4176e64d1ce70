"""project.limits.Counter: the race it closes, at the level of one reservation."""

from datetime import timedelta

from project.limits import EVENTS
from project.models import LimitEvent, utcnow

WINDOW = timedelta(hours=1)
KEYS = [("mail-to", "a@example.com", 3)]


def test_a_request_that_passed_the_first_read_backs_off_when_others_filled_the_limit(
    app, monkeypatch
):
    """What concurrent requests see: each read the count under the limit, then all insert."""
    with app.app_context():
        now = utcnow()
        for _ in range(3):  # three racing requests inserted before this one counted
            EVENTS.insert("mail-to", "a@example.com", now - timedelta(minutes=10))
        real_wait = type(EVENTS).wait
        calls = []

        def first_read_saw_room(self, *args, **kwargs):
            calls.append(kwargs.get("slack", 0))
            return 0 if len(calls) == 1 else real_wait(self, *args, **kwargs)

        monkeypatch.setattr(type(EVENTS), "wait", first_read_saw_room)
        ids, wait = EVENTS.reserve(KEYS, now, WINDOW)
        assert ids == [] and wait == 50 * 60  # the oldest of the three leaves in 50 minutes
        assert LimitEvent.select().count() == 3  # its own row is gone again
        monkeypatch.setattr(type(EVENTS), "wait", real_wait)
        LimitEvent.delete().where(LimitEvent.id == LimitEvent.select().first().id).execute()
        ids, wait = EVENTS.reserve(KEYS, now, WINDOW)  # two left: room for exactly one
        assert len(ids) == 1 and wait == 0
        assert EVENTS.reserve(KEYS, now, WINDOW) == ([], 50 * 60)
