"""Vega-Lite specs of the prioritisation pages, built with Altair (pure; no I/O).

The value-effort scatter puts each ranked feature at (effort, value): effort is the median of
the framework's cost input (RICE effort, WSJF job size, value/effort effort) and value is the
score times that effort (RICE reach x impact x confidence, WSJF cost of delay, value/effort
value). Dashed rules at the medians split the plane into the four quadrants of the 2x2.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt


@dataclass(frozen=True)
class ScatterPoint:
    """One feature on the value-effort chart."""

    title: str
    effort: float
    value: float
    rank: int


def value_effort_chart(points: Sequence[ScatterPoint], *, effort_label: str) -> dict[str, Any]:
    """Build the value-effort scatter with median rules.

    Examples:
        >>> spec = value_effort_chart([ScatterPoint("a", 2, 10, 1)], effort_label="effort")
        >>> spec["layer"][0]["mark"]["type"]
        'point'
    """
    data = [
        {"title": p.title, "effort": p.effort, "value": p.value, "rank": p.rank} for p in points
    ]
    mid_x = statistics.median(p.effort for p in points) if points else 0.0
    mid_y = statistics.median(p.value for p in points) if points else 0.0
    base = alt.Chart(alt.InlineData(values=data))
    dots = base.mark_point(filled=True, size=70).encode(
        x=alt.X("effort:Q", title=effort_label),
        y=alt.Y("value:Q", title="value"),
        color=alt.Color("rank:Q", scale=alt.Scale(scheme="blues", reverse=True), legend=None),
        tooltip=[
            "title:N",
            "rank:Q",
            alt.Tooltip("effort:Q", format=".3g"),
            alt.Tooltip("value:Q", format=".3g"),
        ],
    )
    rules = alt.Chart(alt.InlineData(values=[{"x": mid_x, "y": mid_y}]))
    vrule = rules.mark_rule(strokeDash=[4, 3], color="#999999").encode(x="x:Q")
    hrule = rules.mark_rule(strokeDash=[4, 3], color="#999999").encode(y="y:Q")
    chart = alt.layer(dots, vrule, hrule).properties(width="container", height=320)
    spec: dict[str, Any] = chart.to_dict()
    return spec
