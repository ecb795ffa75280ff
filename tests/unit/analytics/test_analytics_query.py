"""Insight queries (``analytics/query.py``) and their charts (``analytics/charts.py``)."""

from datetime import date

import pytest

from producthq.analytics.charts import CHARTS, insight_chart
from producthq.analytics.query import INSIGHT_KINDS, metric_params, parse_query_string
from producthq.errors import InvalidInputError


def test_a_saved_query_string_round_trips_every_option() -> None:
    q = parse_query_string(
        "retention",
        "from=2026-01-05&to=2026-02-01&tz=Europe%2FParis&period=month&return_event=pay"
        "&periods=6&filter=plan%3Dpro&filter=event%3Dpay&first_seen=true&customer=group_id",
    )
    assert (q.start, q.end, q.tz, q.period) == (
        date(2026, 1, 5),
        date(2026, 2, 1),
        "Europe/Paris",
        "month",
    )
    assert (q.return_event, q.periods, q.first_seen, q.customer) == ("pay", 6, True, "group_id")
    assert q.filters == ("plan=pro", "event=pay")
    prepared = metric_params(q)
    assert prepared.params.start_event is None  # first seen
    assert prepared.params.periods == 6 and prepared.params.interval == "wilson"
    assert [f.key for f in prepared.filters] == ["plan", "event"]


@pytest.mark.parametrize(
    "text",
    ["from=2026-13-01", "periods=x", "customer=nobody", "period=year", "periods=0", "periods=61"],
)
def test_bad_saved_options_are_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInputError):
        metric_params(parse_query_string("retention", text))


SAMPLE_ROWS = {
    "dau": [{"day": date(2026, 1, 5), "dau": 3}],
    "wau_mau": [{"day": date(2026, 1, 5), "dau": 1, "wau": 2, "mau": 3, "dau_mau": 0.3}],
    "stickiness": [{"days_active": 1, "users": 2, "users_cumulative": 2}],
    "retention": [
        {"cohort_week": date(2026, 1, 5), "period": 0, "cohort_size": 2, "retained": 2, "rate": 1.0}
    ],
    "funnel": [{"step": 1, "event": "signup", "users": 2, "conversion_from_start": 1.0}],
    "lifecycle": [
        {"week": date(2026, 1, 5), "new": 1, "returning": 0, "resurrecting": 0, "dormant": 1}
    ],
    "churn": [{"week": date(2026, 1, 5), "active_previous": 2, "dormant": 1, "churn_rate": 0.5}],
    "mrr": [
        {
            "month": date(2026, 1, 1),
            "new_mrr": 10.0,
            "expansion_mrr": 0.0,
            "reactivation_mrr": 0.0,
            "contraction_mrr": 0.0,
            "churned_mrr": 5.0,
            "ending_mrr": 5.0,
        }
    ],
}


@pytest.mark.parametrize("kind", INSIGHT_KINDS)
def test_every_insight_kind_has_a_chart_with_its_rows(kind: str) -> None:
    assert set(CHARTS) == set(INSIGHT_KINDS)
    spec = insight_chart(kind, SAMPLE_ROWS[kind])
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    values = [v for data in spec.get("datasets", {}).values() for v in data]
    assert values, "the chart carries its data inline"
    assert insight_chart(kind, []) is not None  # an empty result still charts


def test_mrr_chart_draws_losses_below_zero() -> None:
    spec = insight_chart("mrr", SAMPLE_ROWS["mrr"])
    movements = {
        v["movement"]: v["mrr"]
        for data in spec["datasets"].values()
        for v in data
        if "movement" in v
    }
    assert movements["churned"] == -5.0 and movements["new"] == 10.0


def test_lifecycle_by_a_breakdown_draws_one_chart_per_value() -> None:
    week = date(2026, 1, 5)
    rows = [
        {"breakdown": "saas", "week": week, "new": 3, "returning": 1, "resurrecting": 0,
         "dormant": 2},
        {"breakdown": "retail", "week": week, "new": 1, "returning": 0, "resurrecting": 1,
         "dormant": 0},
    ]  # fmt: skip
    spec = insight_chart("lifecycle", rows)
    # Faceted by value: each value's bars stack on their own, never on another segment's.
    assert spec["facet"]["row"]["field"] == "breakdown"
    values = [v for data in spec["datasets"].values() for v in data]
    saas = {v["status"]: v["users"] for v in values if v["breakdown"] == "saas"}
    assert saas == {"new": 3, "returning": 1, "resurrecting": 0, "dormant": -2}
