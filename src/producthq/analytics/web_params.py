"""The query-string form of an insight, shared by the JSON API and the pages."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import Query

from producthq.analytics.query import InsightQuery
from producthq.errors import InvalidInputError

Text = Annotated[str | None, Query(max_length=500)]


def insight_params(
    start: Annotated[date | None, Query(alias="from", description="First day (local).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (local).")] = None,
    tz: Annotated[str, Query(max_length=64, description="Time zone, e.g. Europe/Paris.")] = "UTC",
    period: Annotated[Literal["day", "week", "month"] | None, Query()] = None,
    steps: Annotated[str | None, Query(max_length=1000, description="Funnel steps A,B,C.")] = None,
    window: Annotated[
        str | None, Query(max_length=16, description="Funnel window, e.g. 7d.")
    ] = None,
    reentry: bool = True,
    start_event: Annotated[str | None, Query(max_length=200)] = None,
    return_event: Annotated[str | None, Query(max_length=200)] = None,
    first_seen: bool = False,
    periods: Annotated[int | None, Query(ge=1, le=60)] = None,
    filter: Annotated[  # noqa: A002 - the public query parameter's name
        list[str] | None, Query(max_length=20, description="KEY=VALUE event filters.")
    ] = None,
    breakdown: Annotated[str | None, Query(max_length=100, description="Property.")] = None,
    customer: Literal["user_id", "group_id"] = "user_id",
) -> InsightQuery:
    """Read an insight's options from the query string (the kind comes from the path)."""
    return InsightQuery(
        kind="",
        start=start,
        end=end,
        tz=tz,
        period=period,
        steps=steps or None,
        window=window or None,
        reentry=reentry,
        start_event=start_event or None,
        return_event=return_event or None,
        first_seen=first_seen,
        periods=periods,
        filters=tuple(f[:500] for f in (filter or [])),
        breakdown=breakdown or None,
        customer=customer,
    )


@dataclass(frozen=True)
class SegmentRef:
    """The segment a request names: a saved segment's id or an inline JSON definition."""

    segment_id: int | None = None
    definition: str | None = None


def segment_params(
    segment: Annotated[
        str | None, Query(max_length=12, description="A saved segment's id.")
    ] = None,
    segment_def: Annotated[
        str | None,
        Query(max_length=4000, description="An inline segment definition (JSON)."),
    ] = None,
) -> SegmentRef:
    """Read the segment of an insight from the query string (an empty id means none)."""
    text = (segment or "").strip()
    if text and (not text.isdigit() or not 1 <= int(text) <= 2**31 - 1):
        raise InvalidInputError.single(("segment",), f"bad segment id {text!r}; use a number")
    return SegmentRef(int(text) if text else None, segment_def or None)
