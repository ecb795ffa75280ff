"""Options of a metric query: range, zone, period, steps, window and the rest.

The options keep the meanings fixed in ``METRICS.md``; defaults follow it (weekly retention over
periods 0..12 with start event ``signup``, a 7-day funnel window with re-entry, monthly MRR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from producthq.analytics.periods import Period
from producthq.errors import InvalidInputError

IntervalMethod = Literal["wilson", "clopper-pearson"]
DEFAULT_SUBSCRIPTION_EVENTS = (
    "subscription_started",
    "subscription_changed",
    "subscription_cancelled",
)

_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_STEP_RE = re.compile(r"^\s*([^\[\]]+?)\s*(?:\[(.*)\])?\s*$")


def parse_window(text: str) -> timedelta:
    """Parse a window such as ``7d``, ``12h``, ``30m``, ``2w`` or ``90s``.

    Raises:
        InvalidInputError: the text is not a positive number followed by s, m, h, d or w.

    Examples:
        >>> parse_window("7d")
        datetime.timedelta(days=7)
    """
    match = _WINDOW_RE.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise InvalidInputError.single(
            ("window",),
            f"bad window {text!r}: use a positive number and a unit s, m, h, d or w (e.g. 7d)",
        )
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class Step:
    """A funnel step: an event name and optional property filters (``key == value``)."""

    event: str
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Step:
        """Parse ``name`` or ``name[key=value,key2=value2]``.

        Examples:
            >>> Step.parse("upgrade[plan=pro]")
            Step(event='upgrade', filters=(('plan', 'pro'),))
        """
        match = _STEP_RE.match(text)
        if match is None or not match.group(1):
            raise InvalidInputError.single(("steps",), f"bad funnel step {text!r}")
        filters: list[tuple[str, str]] = []
        if match.group(2):
            for part in match.group(2).split(";"):
                key, sep, value = part.partition("=")
                if not sep or not key.strip():
                    raise InvalidInputError.single(
                        ("steps",), f"bad filter {part!r} in step {text!r}; use key=value"
                    )
                filters.append((key.strip(), value.strip()))
        return cls(match.group(1), tuple(filters))

    def label(self) -> str:
        """Return the step as written: the name, then filters in brackets."""
        if not self.filters:
            return self.event
        return f"{self.event}[{';'.join(f'{k}={v}' for k, v in self.filters)}]"


def parse_steps(text: str) -> tuple[Step, ...]:
    """Parse comma-separated steps; filters inside brackets are separated by ``;``.

    Examples:
        >>> [s.event for s in parse_steps("signup, activate ,pay")]
        ['signup', 'activate', 'pay']
    """
    parts: list[str] = []
    depth, cur = 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    steps = tuple(Step.parse(p) for p in parts if p.strip())
    if len(steps) < 2:
        raise InvalidInputError.single(("steps",), "a funnel needs at least two steps, e.g. A,B")
    return steps


@dataclass(frozen=True)
class MetricParams:
    """Options shared by all metric kinds; each kind reads the ones it needs.

    Attributes:
        start: first local day of the range (default: the first day with data).
        end: last local day of the range (default: the last day with data).
        tz: workspace time zone shifting day, week and month boundaries.
        period: day, week or month; ``None`` takes the kind's default.
        active_events: events that make a user active (empty: any event).
        start_event: retention start event; ``None`` means "first seen" (any event).
        return_event: retention return event (``None``: any event).
        periods: retention periods shown after period 0.
        interval: confidence interval on retention rates, or none.
        confidence: confidence level of intervals.
        steps: funnel steps.
        window: funnel conversion window, measured from the step-1 event, inclusive.
        reentry: every step-1 event starts an attempt (``False``: first one only, Mixpanel
            classic).
        breakdown: property of the step-1 event that splits a funnel.
        subscription_events: events carrying the ``mrr`` property.
        cancel_events: events after which MRR is 0 when ``mrr`` is missing.
        customer: the column naming a revenue customer.
        feature_events: the events that make up a feature, for adoption.
        launch: the feature's launch date, for time to first use.
    """

    start: date | None = None
    end: date | None = None
    tz: str = "UTC"
    period: Period | None = None
    active_events: tuple[str, ...] = ()
    start_event: str | None = "signup"
    return_event: str | None = None
    periods: int = 12
    interval: IntervalMethod | None = None
    confidence: float = 0.95
    steps: tuple[Step, ...] = ()
    window: timedelta = field(default=timedelta(days=7))
    reentry: bool = True
    breakdown: str | None = None
    subscription_events: tuple[str, ...] = DEFAULT_SUBSCRIPTION_EVENTS
    cancel_events: tuple[str, ...] = ("subscription_cancelled",)
    customer: Literal["user_id", "group_id"] = "user_id"
    feature_events: tuple[str, ...] = ()
    launch: date | None = None
