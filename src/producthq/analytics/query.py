"""An insight query: which metric, with which options, filters and breakdown (pure).

The web pages, the JSON API and key-result bindings all describe a query with the same few
strings; ``metric_params`` turns them into ``MetricParams``. Filters and breakdowns work on any
metric: a filter ``KEY=VALUE`` keeps the events whose ``KEY`` (``event``, ``user_id``,
``group_id`` or a property) equals ``VALUE`` before the metric runs, and the behavioural
filters ``did=EVENT`` / ``did_not=EVENT`` keep the events of users who did (never did) ``EVENT``
at any time in the data. A breakdown by a property runs the metric once per value of that
property among the workspace's events (the most frequent ``MAX_BREAKDOWN_VALUES``), again as
an event filter. Funnels break down natively by the step-1
event's property, as ``METRICS.md`` defines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal, get_args

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import property_text
from producthq.analytics.params import MetricParams, parse_steps, parse_window
from producthq.analytics.periods import Period, zone
from producthq.errors import InvalidInputError, Problem

InsightKind = Literal[
    "dau", "wau_mau", "stickiness", "retention", "funnel", "lifecycle", "churn", "mrr"
]
INSIGHT_KINDS: tuple[InsightKind, ...] = get_args(InsightKind)
TITLES: dict[str, str] = {
    "dau": "Daily active users",
    "wau_mau": "Weekly and monthly active users",
    "stickiness": "Stickiness",
    "retention": "Retention",
    "funnel": "Funnel",
    "lifecycle": "Lifecycle",
    "churn": "User churn",
    "mrr": "MRR movements",
}
MAX_BREAKDOWN_VALUES = 5
NONE_VALUE = "(none)"
"""The breakdown series of events (users, accounts) without a value, shown besides the top
``MAX_BREAKDOWN_VALUES`` values, as Amplitude does (funnels label a missing step-1 property so)."""
_KEY_RE = re.compile(r"^[A-Za-z_$][\w$.\-]{0,99}$")
_COLUMNS = ("event", "user_id", "group_id")
_BEHAVIOUR = ("did", "did_not")


@dataclass(frozen=True)
class InsightQuery:
    """The strings that describe an insight, as a page's form or the API's query sends them."""

    kind: str
    start: date | None = None
    end: date | None = None
    tz: str = "UTC"
    period: str | None = None
    steps: str | None = None
    window: str | None = None
    reentry: bool = True
    start_event: str | None = None
    return_event: str | None = None
    first_seen: bool = False
    periods: int | None = None
    filters: tuple[str, ...] = ()
    breakdown: str | None = None
    customer: Literal["user_id", "group_id"] = "user_id"
    interval: bool = True


@dataclass(frozen=True)
class EventFilter:
    """Keep events whose column or property ``key`` equals ``value``."""

    key: str
    value: str

    def apply(self, events: ir.Table) -> ir.Table:
        """Return the events that pass the filter."""
        if self.key in _BEHAVIOUR:
            # A behavioural segment: users who did (or never did) the event, at any time.
            doers = events.filter(events.event == self.value).select("user_id").distinct()
            did = events.user_id.isin(doers.user_id)
            return events.filter(did if self.key == "did" else ~did)
        if self.key in _COLUMNS:
            return events.filter(events[self.key] == self.value)
        return events.filter(property_text(events.properties, self.key) == self.value)


@dataclass(frozen=True)
class PreparedQuery:
    """A validated query: the metric kind, its parameters, filters and breakdown."""

    kind: InsightKind
    params: MetricParams
    filters: tuple[EventFilter, ...] = field(default=())
    breakdown: str | None = None


def parse_filter(text: str, index: int = 0) -> EventFilter:
    """Parse ``KEY=VALUE``.

    Examples:
        >>> parse_filter("plan=pro")
        EventFilter(key='plan', value='pro')
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not _KEY_RE.match(key):
        raise InvalidInputError.single(
            ("filter", index), f"bad filter {text[:60]!r}: use KEY=VALUE, e.g. plan=pro"
        )
    return EventFilter(key, value.strip())


def _period(value: str | None) -> Period | None:
    if value in (None, ""):
        return None
    if value not in ("day", "week", "month"):
        raise InvalidInputError.single(("period",), "period must be day, week or month")
    return value  # type: ignore[return-value]


def metric_params(query: InsightQuery) -> PreparedQuery:
    """Validate a query and return its metric parameters.

    Raises:
        InvalidInputError: an unknown kind, a reversed range, a bad zone, window, steps,
            filter or breakdown.
    """
    if query.kind not in INSIGHT_KINDS:
        raise InvalidInputError.single(
            ("kind",), f"unknown metric {query.kind!r}; known: {', '.join(INSIGHT_KINDS)}"
        )
    kind: InsightKind = query.kind
    problems: list[Problem] = []
    if query.start and query.end and query.start > query.end:
        problems.append(Problem(("from",), "the range starts after it ends"))
    zone(query.tz)
    period = _period(query.period)
    if kind in ("dau", "wau_mau", "stickiness") and period not in (None, "day"):
        problems.append(Problem(("period",), f"{kind} is computed per day"))
    if kind == "mrr" and period not in (None, "month"):
        problems.append(Problem(("period",), "MRR movements are computed per month"))
    if problems:
        raise InvalidInputError(problems[0].message, details=problems)
    params = MetricParams(start=query.start, end=query.end, tz=query.tz, period=period)
    if kind == "funnel":
        params = replace(
            params,
            steps=parse_steps(query.steps or ""),
            window=parse_window(query.window or "7d"),
            reentry=query.reentry,
            breakdown=query.breakdown or None,
        )
    if kind == "retention":
        periods = 12 if query.periods is None else query.periods
        if not 1 <= periods <= 60:
            raise InvalidInputError.single(("periods",), "periods must be between 1 and 60")
        params = replace(
            params,
            start_event=None if query.first_seen else (query.start_event or "signup"),
            return_event=query.return_event or None,
            periods=periods,
            interval="wilson" if query.interval else None,
        )
    if kind == "mrr":
        params = replace(params, customer=query.customer)
    filters = tuple(parse_filter(f, i) for i, f in enumerate(query.filters) if f.strip())
    breakdown = (query.breakdown or "").strip() or None
    if breakdown is not None and not _KEY_RE.match(breakdown):
        raise InvalidInputError.single(("breakdown",), f"bad breakdown property {breakdown!r}")
    return PreparedQuery(kind, params, filters, breakdown if kind != "funnel" else None)


def filtered(events: ir.Table, filters: Sequence[EventFilter]) -> ir.Table:
    """Apply event filters in turn; behavioural ones first, so they see every event."""
    ordered = sorted(filters, key=lambda f: f.key not in _BEHAVIOUR)
    for f in ordered:
        events = f.apply(events)
    return events


def breakdown_values(events: ir.Table, key: str, limit: int = MAX_BREAKDOWN_VALUES) -> ir.Table:
    """Return an expression of the ``limit`` most frequent values of a property or column."""
    value = _breakdown_value(events, key)
    counted = events.select(value=value).filter(ibis._.value.notnull())
    return (
        counted.group_by("value")
        .aggregate(n=ibis._.count())
        .order_by([ibis.desc("n"), "value"])
        .limit(limit)
    )


def without_value(events: ir.Table, key: str) -> ir.Table:
    """Return the events without a value of a property or column (the ``NONE_VALUE`` series)."""
    return events.filter(_breakdown_value(events, key).isnull())


def _breakdown_value(events: ir.Table, key: str) -> ir.StringValue:
    return events[key] if key in _COLUMNS else property_text(events.properties, key)


def _query_date(values: dict[str, list[str]], name: str) -> date | None:
    text = (values.get(name) or [""])[-1]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError.single((name,), f"bad date {text[:20]!r}; use YYYY-MM-DD") from None


def _query_text(values: dict[str, list[str]], name: str) -> str | None:
    return (values.get(name) or [""])[-1] or None


def _query_bool(values: dict[str, list[str]], name: str, default: bool) -> bool:
    text = (_query_text(values, name) or "").lower()
    return default if not text else text in ("1", "true", "on", "yes")


def parse_query_string(kind: str, text: str) -> InsightQuery:
    """Rebuild a query from the query string of an insight page (as saved on a dashboard).

    Examples:
        >>> parse_query_string("dau", "from=2026-01-05&filter=plan%3Dpro").filters
        ('plan=pro',)
    """
    from urllib.parse import parse_qs

    values = parse_qs(text, keep_blank_values=True)
    periods = _query_text(values, "periods")
    if periods is not None and not periods.isdigit():
        raise InvalidInputError.single(("periods",), "periods must be a whole number")
    customer = _query_text(values, "customer") or "user_id"
    if customer not in ("user_id", "group_id"):
        raise InvalidInputError.single(("customer",), "customer must be user_id or group_id")
    return InsightQuery(
        kind=kind,
        start=_query_date(values, "from"),
        end=_query_date(values, "to"),
        tz=_query_text(values, "tz") or "UTC",
        period=_query_text(values, "period"),
        steps=_query_text(values, "steps"),
        window=_query_text(values, "window"),
        reentry=_query_bool(values, "reentry", True),
        start_event=_query_text(values, "start_event"),
        return_event=_query_text(values, "return_event"),
        first_seen=_query_bool(values, "first_seen", False),
        periods=int(periods) if periods else None,
        filters=tuple(v for v in values.get("filter", []) if v),
        breakdown=_query_text(values, "breakdown"),
        customer=customer,  # type: ignore[arg-type]
    )
