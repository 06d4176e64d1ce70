"""Which backups to keep: the newest of each of the last N days and of the last M weeks."""

from __future__ import annotations

from datetime import datetime

from .catalog import Entry, entries, remove


def kept_stamps(stamps: list[datetime], daily: int, weekly: int) -> set[datetime]:
    """Grandfather-father-son over good backups: per day and per ISO week, the newest one.

    The newest backup is always kept, whatever the settings say.
    """
    newest_first = sorted(stamps, reverse=True)
    keep = set(newest_first[:1])
    keep |= newest_per_period(newest_first, lambda s: s.date(), daily)
    keep |= newest_per_period(newest_first, lambda s: s.isocalendar()[:2], weekly)
    return keep


def newest_per_period(newest_first: list[datetime], period, count: int) -> set[datetime]:
    chosen: dict = {}
    for stamp in newest_first:
        key = period(stamp)
        if key not in chosen:
            if len(chosen) == count:
                break
            chosen[key] = stamp
    return set(chosen.values())


def prune(folder, daily: int, weekly: int) -> list[Entry]:
    """Delete good backups outside the retention, and failed or unverified ones older than the
    newest good backup (kept until then so `--list` shows what went wrong). Returns the removed.
    """
    found = entries(folder)
    good = [entry for entry in found if entry.good]
    if not good:
        return []
    keep = kept_stamps([entry.stamp for entry in good], daily, weekly)
    newest = good[0]
    doomed = [
        entry
        for entry in found
        if (entry.good and entry.stamp not in keep)
        or (not entry.good and entry.stamp < newest.stamp)
    ]
    for entry in doomed:
        remove(entry.path)
    return doomed
