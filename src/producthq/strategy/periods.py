"""Planning periods of objectives: a quarter such as ``2026-Q4`` or custom dates (pure).

Examples:
    >>> parse_period("2026-Q4")
    Period(label='2026-Q4', start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
LABEL_MAX = 32


@dataclass(frozen=True)
class Period:
    """A named span of dates, both ends included."""

    label: str
    start: date
    end: date


def quarter(year: int, q: int) -> Period:
    """Return the calendar quarter ``q`` (1–4) of ``year``.

    Examples:
        >>> quarter(2026, 1).end
        datetime.date(2026, 3, 31)
    """
    start = date(year, 3 * (q - 1) + 1, 1)
    next_start = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(f"{year}-Q{q}", start, next_start - timedelta(days=1))


def quarter_of(day: date) -> Period:
    """Return the quarter containing ``day``.

    Examples:
        >>> quarter_of(date(2026, 5, 17)).label
        '2026-Q2'
    """
    return quarter(day.year, (day.month - 1) // 3 + 1)


def parse_period(label: str, start: date | None = None, end: date | None = None) -> Period:
    """Read a period: a quarter label alone, or any label with both start and end dates.

    A quarter label with dates must match the quarter's own dates.

    Raises:
        ValueError: the label is empty or too long, dates are missing, or end is before start.
    """
    text = label.strip()
    if not text or len(text) > LABEL_MAX:
        raise ValueError(f"period {label!r} must have 1 to {LABEL_MAX} characters")
    m = QUARTER_RE.match(text)
    if m:
        q = quarter(int(m.group(1)), int(m.group(2)))
        if (start and start != q.start) or (end and end != q.end):
            raise ValueError(
                f"period {text} runs {q.start} to {q.end}; leave the dates empty or use those"
            )
        return q
    if start is None or end is None:
        raise ValueError(
            f"period {text!r} is not a quarter like 2026-Q4; a custom period needs start and end"
        )
    if end < start:
        raise ValueError(f"period {text!r} ends ({end}) before it starts ({start})")
    return Period(text, start, end)


def period_sort_key(period: Period) -> tuple[date, date, str]:
    """Order periods by start, then end, then label."""
    return (period.start, period.end, period.label)
