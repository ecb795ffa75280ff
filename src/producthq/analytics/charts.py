"""Vega-Lite specs of the insight pages, built with Altair from result rows (pure; no I/O).

The same spec renders in the page (vega-embed) and to PNG/SVG for reports. Each builder takes
the rows of a metric result (``MetricResult.rows(extras=True)``, with a ``breakdown`` column
when the insight is broken down) and returns the spec as a dict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import altair as alt

Rows = Sequence[dict[str, Any]]
BLUE = "#0172ad"


def _data(rows: Rows) -> alt.InlineData:
    clean = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows
    ]
    return alt.InlineData(values=clean)


def _color(rows: Rows) -> Any:
    if rows and "breakdown" in rows[0]:
        return alt.Color("breakdown:N", title=None)
    return alt.value(BLUE)


def _finish(chart: Any, height: int = 260) -> dict[str, Any]:
    spec: dict[str, Any] = chart.properties(width="container", height=height).to_dict()
    return spec


def _line(x: str, y: str, title: str) -> Callable[[Rows], dict[str, Any]]:
    def build(rows: Rows) -> dict[str, Any]:
        chart = (
            alt.Chart(_data(rows))
            .mark_line(point=len(rows) < 60)
            .encode(
                x=alt.X(f"{x}:T", title=None),
                y=alt.Y(f"{y}:Q", title=title),
                color=_color(rows),
                tooltip=[f"{x}:T", f"{y}:Q"]
                + (["breakdown:N"] if rows and "breakdown" in rows[0] else []),
            )
        )
        return _finish(chart)

    return build


def wau_mau_chart(rows: Rows) -> dict[str, Any]:
    """WAU, MAU and DAU per day as three lines."""
    series = ("dau", "wau", "mau")
    long = [{"day": r["day"], "series": s, "users": r[s]} for r in rows for s in series if s in r]
    if rows and "breakdown" in rows[0]:
        long = [
            {"day": r["day"], "series": f"{r['breakdown']} {s}", "users": r[s]}
            for r in rows
            for s in ("wau", "mau")
        ]
    chart = (
        alt.Chart(_data(long))
        .mark_line()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("users:Q", title="active users"),
            color=alt.Color("series:N", title=None),
            tooltip=["day:T", "series:N", "users:Q"],
        )
    )
    return _finish(chart)


def stickiness_chart(rows: Rows) -> dict[str, Any]:
    """Users by number of active days."""
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X("days_active:O", title="days active in the range"),
            y=alt.Y("users:Q", title="users"),
            color=_color(rows),
            xOffset=alt.XOffset("breakdown:N")
            if rows and "breakdown" in rows[0]
            else alt.Undefined,
            tooltip=["days_active:O", "users:Q", "users_cumulative:Q"],
        )
    )
    return _finish(chart)


def retention_chart(rows: Rows) -> dict[str, Any]:
    """A cohort × period heat map of the retention rate, with the rate in each cell."""
    cohort = next(
        (k for k in (rows[0] if rows else {}) if k.startswith("cohort_") and k != "cohort_size"),
        "cohort_week",
    )
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("period:O", title="period"),
        y=alt.Y(f"{cohort}:O", title=None, timeUnit="yearmonthdate"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("rate:Q", title="retained", scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=[
            alt.Tooltip(f"{cohort}:T"),
            "period:O",
            "cohort_size:Q",
            "retained:Q",
            alt.Tooltip("rate:Q", format=".1%"),
            alt.Tooltip("rate_low:Q", format=".1%"),
            alt.Tooltip("rate_high:Q", format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=9).encode(
        text=alt.Text("rate:Q", format=".0%"),
        color=alt.condition("datum.rate > 0.5", alt.value("white"), alt.value("black")),
    )
    height = max(160, 18 * len({r.get(cohort) for r in rows}))
    return _finish(alt.layer(cells, text), height=height)


def funnel_chart(rows: Rows) -> dict[str, Any]:
    """Users reaching each step, as bars (grouped by breakdown value when there is one)."""
    grouped = bool(rows) and "breakdown" in rows[0]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X("event:N", sort=None, title=None),
            y=alt.Y("users:Q", title="users reaching the step"),
            color=_color(rows),
            xOffset=alt.XOffset("breakdown:N") if grouped else alt.Undefined,
            tooltip=[
                "step:O",
                "event:N",
                "users:Q",
                alt.Tooltip("conversion_from_start:Q", format=".1%"),
                alt.Tooltip("conversion_from_previous:Q", format=".1%"),
            ]
            + (["breakdown:N"] if grouped else []),
        )
    )
    return _finish(chart)


LIFECYCLE_FACET_WIDTH = 720
"""Width of each breakdown value's lifecycle chart (Vega-Lite sizes facets in pixels only)."""


def lifecycle_chart(rows: Rows) -> dict[str, Any]:
    """New, returning and resurrecting users stacked up, dormant users below zero."""
    period = next((k for k in ("week", "month", "day") if rows and k in rows[0]), "week")
    split = bool(rows) and "breakdown" in rows[0]
    long: list[dict[str, Any]] = []
    for r in rows:
        for status in ("new", "returning", "resurrecting", "dormant"):
            value = r[status] if status != "dormant" else -r[status]
            item = {period: r[period], "status": status, "users": value}
            long.append(item | ({"breakdown": r["breakdown"]} if split else {}))
    chart = (
        alt.Chart(_data(long))
        .mark_bar()
        .encode(
            x=alt.X(f"{period}:T", title=None),
            y=alt.Y("users:Q", title="users", stack="zero"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["new", "returning", "resurrecting", "dormant"],
                    range=["#2e7d32", BLUE, "#f2a93b", "#c62828"],
                ),
                title=None,
            ),
            tooltip=[f"{period}:T", "status:N", "users:Q"] + (["breakdown:N"] if split else []),
        )
    )
    if split:
        # One small chart per breakdown value, one above the other: stacking the values'
        # bars together would add up users of different segments.
        faceted = chart.properties(width=LIFECYCLE_FACET_WIDTH, height=140).facet(
            row=alt.Row("breakdown:N", title=None, header=alt.Header(labelAngle=0))
        )
        spec: dict[str, Any] = faceted.resolve_scale(y="independent").to_dict()
        return spec
    return _finish(chart)


def churn_chart(rows: Rows) -> dict[str, Any]:
    """User churn rate per period."""
    period = next((k for k in ("week", "month", "day") if rows and k in rows[0]), "week")
    chart = (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{period}:T", title=None),
            y=alt.Y("churn_rate:Q", title="churn rate", axis=alt.Axis(format="%")),
            color=_color(rows),
            tooltip=[
                f"{period}:T",
                "active_previous:Q",
                "dormant:Q",
                alt.Tooltip("churn_rate:Q", format=".1%"),
            ],
        )
    )
    return _finish(chart)


def mrr_chart(rows: Rows) -> dict[str, Any]:
    """Monthly MRR movements as bars (losses below zero) and the ending MRR as a line."""
    kinds = ("new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr")
    long: list[dict[str, Any]] = []
    for r in rows:
        for k in kinds:
            sign = -1 if k in ("contraction_mrr", "churned_mrr") else 1
            long.append(
                {"month": r["month"], "movement": k.removesuffix("_mrr"), "mrr": sign * r[k]}
            )
    bars = (
        alt.Chart(_data(long))
        .mark_bar()
        .encode(
            x=alt.X("month:T", timeUnit="yearmonth", title=None),
            y=alt.Y("mrr:Q", title="MRR movement", stack="zero"),
            color=alt.Color(
                "movement:N",
                scale=alt.Scale(
                    domain=["new", "expansion", "reactivation", "contraction", "churned"],
                    range=["#2e7d32", "#66bb6a", "#f2a93b", "#ef9a9a", "#c62828"],
                ),
                title=None,
            ),
            tooltip=[alt.Tooltip("month:T", timeUnit="yearmonth"), "movement:N", "mrr:Q"],
        )
    )
    line = (
        alt.Chart(_data(rows))
        .mark_line(point=True, color="#333333")
        .encode(
            x=alt.X("month:T", timeUnit="yearmonth"),
            y=alt.Y("ending_mrr:Q", title="ending MRR"),
            tooltip=[alt.Tooltip("month:T", timeUnit="yearmonth"), "ending_mrr:Q"],
        )
    )
    return _finish(alt.layer(bars, line).resolve_scale(y="independent"))


CHARTS: dict[str, Callable[[Rows], dict[str, Any]]] = {
    "dau": _line("day", "dau", "daily active users"),
    "wau_mau": wau_mau_chart,
    "stickiness": stickiness_chart,
    "retention": retention_chart,
    "funnel": funnel_chart,
    "lifecycle": lifecycle_chart,
    "churn": churn_chart,
    "mrr": mrr_chart,
}
"""Chart builder per insight kind."""


def insight_chart(kind: str, rows: Rows) -> dict[str, Any]:
    """Build the chart of an insight's rows.

    Examples:
        >>> spec = insight_chart("dau", [{"day": "2026-01-05", "dau": 3}])
        >>> spec["mark"]["type"]
        'line'
    """
    return CHARTS[kind](rows)
