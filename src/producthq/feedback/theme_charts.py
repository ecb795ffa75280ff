"""Vega-Lite charts of the theme explorer, built with Altair (one spec for page and report)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from producthq.feedback.theme_stats import WeekVolume

SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}


def volume_chart(volume: Sequence[WeekVolume], title: str = "Items per week") -> dict[str, Any]:
    """Build a bar chart of a theme's items per week with its share of all feedback as a line.

    >>> from datetime import date
    >>> spec = volume_chart([WeekVolume(date(2026, 1, 5), 2, 10)])
    >>> [len(rows) for rows in spec["datasets"].values()]
    [1]
    """
    data = [
        {"week": v.week.isoformat(), "items": v.count, "share": round(100 * v.share, 2)}
        for v in volume
    ]
    base = alt.Chart(alt.InlineData(values=data)).encode(x=alt.X("week:T", title=None))
    bars = base.mark_bar(color="#0172ad", opacity=0.7).encode(
        y=alt.Y("items:Q", title="items"), tooltip=["week:T", "items:Q", "share:Q"]
    )
    line = base.mark_line(color="#f2a93b").encode(y=alt.Y("share:Q", title="% of all feedback"))
    chart = (
        alt.layer(bars, line)
        .resolve_scale(y="independent")
        .properties(width="container", height=180, title=title)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def sentiment_chart(mix: Mapping[str, int]) -> dict[str, Any]:
    """Build a stacked bar of a theme's sentiment mix.

    >>> spec = sentiment_chart({"negative": 3, "positive": 1})
    >>> [len(rows) for rows in spec["datasets"].values()]
    [2]
    """
    data = [{"sentiment": k, "items": v} for k, v in mix.items()]
    order = [k for k in SENTIMENT_COLOURS if k in mix] + [
        k for k in mix if k not in SENTIMENT_COLOURS
    ]
    chart = (
        alt.Chart(alt.InlineData(values=data))
        .mark_bar()
        .encode(
            x=alt.X("sum(items):Q", stack="normalize", title="share of items"),
            color=alt.Color(
                "sentiment:N",
                sort=order,
                scale=alt.Scale(
                    domain=order, range=[SENTIMENT_COLOURS.get(k, "#bbbbbb") for k in order]
                ),
            ),
            tooltip=["sentiment:N", "items:Q"],
        )
        .properties(width="container", height=40)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def themes_chart(rows: Sequence[tuple[str, int, str]]) -> dict[str, Any]:
    """Build a bar chart of theme sizes, coloured by trend; rows are (label, size, trend).

    >>> spec = themes_chart([("sso", 10, "growing"), ("csv", 4, "stable")])
    >>> [len(r) for r in spec["datasets"].values()]
    [2]
    """
    data = [{"theme": label, "items": size, "trend": trend} for label, size, trend in rows]
    chart = (
        alt.Chart(alt.InlineData(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", sort="-x", title=None),
            x=alt.X("items:Q"),
            color=alt.Color(
                "trend:N",
                scale=alt.Scale(
                    domain=["growing", "stable", "shrinking", "not_enough_data"],
                    range=["#c0392b", "#0172ad", "#27ae60", "#bbbbbb"],
                ),
            ),
            tooltip=["theme:N", "items:Q", "trend:N"],
        )
        .properties(width="container")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
