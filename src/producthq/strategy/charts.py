"""Vega-Lite specs of the strategy pages, built with Altair (pure; no I/O).

The same spec renders in the page (vega-embed) and, later, to PNG/SVG for reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt


@dataclass(frozen=True)
class CheckinPoint:
    """One check-in of a key result on the chart."""

    day: date
    value: float


@dataclass(frozen=True)
class MixBar:
    """One objective's target and planned share of the investment, in percent."""

    objective: str
    target_pct: float | None
    planned_pct: float | None


def checkin_chart(
    points: Sequence[CheckinPoint], *, baseline: float, target: float, title: str = ""
) -> dict[str, Any]:
    """Build a small line chart of check-ins, with the baseline and target as rules.

    Examples:
        >>> spec = checkin_chart([CheckinPoint(date(2026, 1, 5), 3.0)], baseline=1, target=5)
        >>> spec["layer"][0]["mark"]["type"]
        'line'
    """
    data = [{"date": p.day.isoformat(), "value": p.value} for p in points]
    base = alt.Chart(alt.InlineData(values=data))
    line = base.mark_line(point=True).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("date:T"), alt.Tooltip("value:Q")],
    )
    rules_data = [{"label": "baseline", "y": baseline}, {"label": "target", "y": target}]
    rules = (
        alt.Chart(alt.InlineData(values=rules_data))
        .mark_rule(strokeDash=[4, 3])
        .encode(
            y="y:Q",
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=["baseline", "target"], range=["#999999", "#2e7d32"]),
                legend=None,
            ),
            tooltip=["label:N", "y:Q"],
        )
    )
    chart = alt.layer(line, rules).properties(width="container", height=110, title=title)
    spec: dict[str, Any] = chart.to_dict()
    return spec


def investment_chart(bars: Sequence[MixBar]) -> dict[str, Any]:
    """Build a grouped bar chart: target vs planned share of investment per objective.

    Examples:
        >>> spec = investment_chart([MixBar("Grow", 60.0, 40.0)])
        >>> [len(rows) for rows in spec["datasets"].values()]
        [2]
    """
    data: list[dict[str, Any]] = []
    for b in bars:
        data.append({"objective": b.objective, "kind": "target", "percent": b.target_pct or 0.0})
        data.append({"objective": b.objective, "kind": "planned", "percent": b.planned_pct or 0.0})
    chart = (
        alt.Chart(alt.InlineData(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("objective:N", title=None, sort=None),
            yOffset=alt.YOffset("kind:N", sort=["target", "planned"]),
            x=alt.X("percent:Q", title="% of investment", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "kind:N",
                sort=["target", "planned"],
                scale=alt.Scale(range=["#0172ad", "#f2a93b"]),
                title=None,
            ),
            tooltip=["objective:N", "kind:N", alt.Tooltip("percent:Q", format=".1f")],
        )
        .properties(width="container")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
