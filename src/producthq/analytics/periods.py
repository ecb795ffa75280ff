"""Calendar periods for metrics: days, ISO weeks and calendar months in a workspace time zone.

Conventions from ``METRICS.md``: time is UTC unless a workspace zone is set, then days, weeks and
months are that zone's calendar days; weeks start on Monday 00:00 (ISO); periods are calendar
aligned and every period from the first to the last of a range is listed.

Periods are numbered with integers so every engine can do the arithmetic: day ``n`` is
1900-01-01 + n days (1900-01-01 was a Monday, so ISO week ``n // 7`` starts on a Monday), and month
``n`` is year × 12 + month − 1. The time zone shift is a ``CASE`` over the zone's UTC offset
transitions in the range (computed here with ``zoneinfo``), so no engine needs its own zone data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from producthq.errors import InvalidInputError

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")

DAY0 = date(1900, 1, 1)
"""Day number 0; a Monday, so week numbers start on Mondays."""
_EPOCH_DAY = (date(1970, 1, 1) - DAY0).days


def zone(tz: str) -> ZoneInfo:
    """Return the zone named ``tz`` or raise ``InvalidInputError``.

    Examples:
        >>> zone("Europe/Paris").key
        'Europe/Paris'
    """
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError.single(("tz",), f"unknown time zone {tz!r}") from None


def day_number(d: date) -> int:
    """Return the day number of a date (days since 1900-01-01)."""
    return (d - DAY0).days


def period_number(d: date, period: Period) -> int:
    """Return the number of the period that contains date ``d``.

    Examples:
        >>> period_number(date(1900, 1, 8), "week")
        1
        >>> period_number(date(2024, 3, 15), "month")
        24290
    """
    if period == "day":
        return day_number(d)
    if period == "week":
        return day_number(d) // 7
    return d.year * 12 + d.month - 1


def period_start(n: int, period: Period) -> date:
    """Return the first day of period number ``n`` (the Monday of a week, the 1st of a month).

    Examples:
        >>> period_start(period_number(date(2024, 3, 14), "week"), "week")
        datetime.date(2024, 3, 11)
    """
    if period == "day":
        return DAY0 + timedelta(days=n)
    if period == "week":
        return DAY0 + timedelta(days=7 * n)
    return date(n // 12, n % 12 + 1, 1)


def _offset_seconds(tz: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_transitions(tz: str, start: date, end: date) -> list[tuple[datetime, int]]:
    """Return the zone's UTC offsets over ``[start, end]`` as ``(from_utc, offset_seconds)``.

    The first entry starts at ``datetime.min``-like (``None`` is not used: the first instant is
    two days before ``start``); later entries are the exact UTC instants where the offset changes.
    Instants are naive UTC.
    """
    info = zone(tz)
    lo = datetime.combine(start - timedelta(days=2), time(), tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=3), time(), tzinfo=UTC)
    out = [(lo.replace(tzinfo=None), _offset_seconds(info, lo))]
    cur = lo
    while cur < hi:
        nxt = cur + timedelta(days=1)
        if _offset_seconds(info, nxt) != out[-1][1]:
            # Binary search the change to the second inside this day.
            a, b = cur, nxt
            while (b - a) > timedelta(seconds=1):
                mid = a + (b - a) / 2
                if _offset_seconds(info, mid) == out[-1][1]:
                    a = mid
                else:
                    b = mid
            b = b.replace(microsecond=0)
            out.append((b.replace(tzinfo=None), _offset_seconds(info, b)))
        cur = nxt
    return out


@dataclass(frozen=True)
class Calendar:
    """A resolved date range ``[start, end]`` (local calendar days) in a time zone."""

    start: date
    end: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError.single(
                ("to",), f"the range ends ({self.end}) before it starts ({self.start})"
            )
        zone(self.tz)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return the naive UTC instants ``[lo, hi)`` covering the local days of the range."""
        info = zone(self.tz)
        lo = datetime.combine(self.start, time(), tzinfo=info).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=info).astimezone(UTC)
        return lo.replace(tzinfo=None), hi.replace(tzinfo=None)

    def first(self, period: Period) -> int:
        """Return the number of the first period of the range."""
        return period_number(self.start, period)

    def last(self, period: Period) -> int:
        """Return the number of the last period of the range."""
        return period_number(self.end, period)

    def local_timestamp(self, ts: ir.TimestampValue) -> ir.TimestampValue:
        """Shift a UTC timestamp expression to the calendar's local wall-clock time."""
        transitions = offset_transitions(self.tz, self.start, self.end)
        if len(transitions) == 1:
            offset = transitions[0][1]
            return ts if offset == 0 else ts + ibis.interval(seconds=offset)
        branches = [
            (ts < ibis.timestamp(transitions[i + 1][0]), ts + ibis.interval(seconds=off))
            for i, (_, off) in enumerate(transitions[:-1])
        ]
        return ibis.cases(*branches, else_=ts + ibis.interval(seconds=transitions[-1][1]))

    def period_of(self, ts: ir.TimestampValue, period: Period) -> ir.IntegerValue:
        """Return the period number of a UTC timestamp expression in the calendar's zone."""
        local = self.local_timestamp(ts)
        if period == "month":
            return (local.year() * 12 + local.month() - 1).cast("int64")
        days = (local.epoch_seconds() // 86400).cast("int64") + _EPOCH_DAY
        return days if period == "day" else days // 7


@lru_cache(maxsize=512)
def spine(first: int, last: int, column: str = "p", label: str = "periods") -> ir.Table:
    """Return a table of the integers ``first..last`` in ``column`` (empty when last < first).

    The table is an Ibis memtable named from its content, so the same range always compiles to
    the same SQL and two different ranges never share a name on one connection. The same
    object is returned for the same range: Ibis uploads a memtable once per connection and
    object, and a second object with the same name would be uploaded again (PostgreSQL then
    refuses the duplicate temporary table).
    """
    values = list(range(first, last + 1))
    name = f"phq_{label}_{first}_{last}".replace("-", "m")
    return ibis.memtable({column: values}, schema={column: "int64"}, name=name)
