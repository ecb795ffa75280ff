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


@dataclass(frozen=True)
class KanoPoint:
    """One feature on the Kano better-worse chart."""

    title: str
    better: float
    worse: float
    """Timko's worse coefficient, a number in [-1, 0]; the chart plots its absolute value."""
    category: str
    respondents: int


def kano_chart(points: Sequence[KanoPoint]) -> dict[str, Any]:
    """Build the better-worse scatter: |worse| across, better up, rules at 0.5.

    The four quarters read as in Berger et al. (1993): attractive (high better, low |worse|),
    one-dimensional (both high), must-be (low better, high |worse|), indifferent (both low).

    Examples:
        >>> spec = kano_chart([KanoPoint("a", 0.6, -0.5, "attractive", 10)])
        >>> [d[0]["worse_abs"] for d in spec["datasets"].values() if "title" in d[0]]
        [0.5]
    """
    data = [
        {
            "title": p.title,
            "better": p.better,
            "worse_abs": abs(p.worse),
            "category": p.category.replace("_", "-"),
            "respondents": p.respondents,
        }
        for p in points
    ]
    unit = alt.Scale(domain=[0, 1])
    dots = (
        alt.Chart(alt.InlineData(values=data))
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X("worse_abs:Q", title="|worse| (dissatisfaction if absent)", scale=unit),
            y=alt.Y("better:Q", title="better (satisfaction if present)", scale=unit),
            color=alt.Color("category:N", title="category"),
            tooltip=[
                "title:N",
                "category:N",
                "respondents:Q",
                alt.Tooltip("better:Q", format=".2f"),
                alt.Tooltip("worse_abs:Q", format=".2f", title="|worse|"),
            ],
        )
    )
    rules = alt.Chart(alt.InlineData(values=[{"x": 0.5, "y": 0.5}]))
    vrule = rules.mark_rule(strokeDash=[4, 3], color="#999999").encode(x="x:Q")
    hrule = rules.mark_rule(strokeDash=[4, 3], color="#999999").encode(y="y:Q")
    chart = alt.layer(dots, vrule, hrule).properties(width="container", height=320)
    spec: dict[str, Any] = chart.to_dict()
    return spec
