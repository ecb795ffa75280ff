"""Comparing two roadmap snapshots: what was added, removed, moved or slipped (pure).

Items are matched by id. An item *moved* when its board column changed; it *slipped* when its
end date is later than in the baseline (an item that gained an end date it lacked does not
count as slipped: there was no promise to miss).

Example:
    >>> a = [{"id": 1, "title": "SSO", "column": "next", "end": "2025-03-31"}]
    >>> b = [{"id": 1, "title": "SSO", "column": "now", "end": "2025-05-15"}]
    >>> d = diff_snapshots(a, b)
    >>> [m.id for m in d.moved], [(s.id, s.days) for s in d.slipped]
    ([1], [(1, 45)])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Change:
    """One item's change between the baseline and the other snapshot."""

    id: int
    title: str
    before: str | None = None
    after: str | None = None
    days: int = 0


@dataclass(frozen=True)
class SnapshotDiff:
    """The four lists of a snapshot comparison."""

    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    moved: tuple[Change, ...]
    slipped: tuple[Change, ...]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Return the comparison as JSON-ready lists."""
        return {
            "added": [asdict(c) for c in self.added],
            "removed": [asdict(c) for c in self.removed],
            "moved": [asdict(c) for c in self.moved],
            "slipped": [asdict(c) for c in self.slipped],
        }


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def diff_snapshots(
    baseline: Sequence[Mapping[str, Any]], other: Sequence[Mapping[str, Any]]
) -> SnapshotDiff:
    """Compare ``other`` with ``baseline`` item by item (matched by ``id``)."""
    before = {int(i["id"]): i for i in baseline}
    after = {int(i["id"]): i for i in other}
    added = tuple(
        Change(k, str(v.get("title", "")), after=v.get("column"))
        for k, v in after.items()
        if k not in before
    )
    removed = tuple(
        Change(k, str(v.get("title", "")), before=v.get("column"))
        for k, v in before.items()
        if k not in after
    )
    moved, slipped = [], []
    for k in sorted(before.keys() & after.keys()):
        a, b = before[k], after[k]
        title = str(b.get("title", ""))
        if a.get("column") != b.get("column"):
            moved.append(Change(k, title, a.get("column"), b.get("column")))
        end_a, end_b = _day(a.get("end")), _day(b.get("end"))
        if end_a and end_b and end_b > end_a:
            slipped.append(
                Change(k, title, end_a.isoformat(), end_b.isoformat(), (end_b - end_a).days)
            )
    return SnapshotDiff(added, removed, tuple(moved), tuple(slipped))
