"""Evidence-derived inputs and what-if weights, against hand-computed values."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from producthq.errors import InvalidInputError
from producthq.prioritization.evidence import Request, summarize
from producthq.prioritization.formula import Criterion, WeightedScoring
from producthq.prioritization.scoring import IceMean, KanoFramework, Rice, Wsjf
from producthq.prioritization.weights import reweight

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def _at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def test_reach_counts_companies_then_people_then_anonymous_items() -> None:
    rs = [
        Request(1, _at(1), company_id=10, person_id=1, arr=50_000.0, segment="Enterprise"),
        Request(2, _at(2), company_id=10, person_id=2, arr=50_000.0, segment="Enterprise"),
        Request(2, _at(2), company_id=10, person_id=2, arr=50_000.0, segment="Enterprise"),
        Request(3, _at(3), company_id=11, person_id=3, arr=None, segment=None),
        Request(4, _at(4), person_id=4),
        Request(5, _at(5)),
    ]
    e = summarize(rs, now=NOW)
    # Items 1..5 (item 2 highlighted twice counts once); customers: 10, 11, person 4, item 5.
    assert (e.requests, e.reach, e.people, e.companies) == (5, 4, 4, 2)
    # ARR: company 10 once (50,000); company 11 has none.
    assert (e.demand, e.arr_unknown) == (50_000.0, 1)
    assert e.segments == (("Enterprise", 1), ("unknown", 1))


def test_trend_slope_is_the_least_squares_slope_per_window() -> None:
    # 0, 1, 2, 3, 4, 5 requests in the six 30-day windows, oldest first.
    rs = []
    item = 0
    for back, n in enumerate(reversed(range(6))):
        for _ in range(n):
            item += 1
            rs.append(Request(item, _at(30 * back + 1)))
    e = summarize(rs, now=NOW)
    assert e.monthly == (0, 1, 2, 3, 4, 5)
    expected = stats.linregress(np.arange(6), e.monthly).slope  # scipy as the reference
    assert e.slope == pytest.approx(expected) == pytest.approx(1.0)
    assert e.trend == "rising"
    falling = summarize([Request(1, _at(175)), Request(2, _at(170))], now=NOW)
    assert falling.trend == "falling"
    assert summarize([], now=NOW).trend == "flat"


def _v(**kw: float) -> dict[str, np.ndarray]:
    return {k: np.array([v]) for k, v in kw.items()}


def test_rice_weights_act_as_exponents() -> None:
    v = _v(reach=100.0, impact=2.0, confidence=0.5, effort=4.0)
    # Weight 2 on effort: 100 * 2 * 0.5 / 4^2 = 6.25; weight 0 on reach: 2 * 0.5 / 4 = 0.25.
    assert reweight(Rice(), {"effort": 2}).score(v)[0] == pytest.approx(6.25)
    assert reweight(Rice(), {"reach": 0}).score(v)[0] == pytest.approx(0.25)
    assert reweight(Rice(), {"effort": 2}).log_exponents == {
        "reach": 1.0,
        "impact": 1.0,
        "confidence": 1.0,
        "effort": -2.0,
    }


def test_wsjf_and_ice_mean_weights() -> None:
    v = _v(business_value=8.0, time_criticality=5.0, risk_reduction=3.0, job_size=2.0)
    # (2 * 8 + 5 + 0 * 3) / 2 = 10.5
    w = reweight(Wsjf(), {"business_value": 2, "risk_reduction": 0})
    assert w.score(v)[0] == pytest.approx(10.5)
    ice = _v(impact=9.0, confidence=3.0, ease=6.0)
    # (3 * 9 + 3 + 6) / 5 = 7.2
    assert reweight(IceMean(), {"impact": 3}).score(ice)[0] == pytest.approx(7.2)


def test_weighted_scoring_keeps_unnamed_weights() -> None:
    model = WeightedScoring("m", (Criterion("value", 3), Criterion("cost", 1, False)))
    changed = reweight(model, {"value": 1})
    assert isinstance(changed, WeightedScoring)
    assert changed.weights == {"value": 1.0, "cost": 1.0}


@pytest.mark.parametrize(
    ("framework", "weights", "match"),
    [
        pytest.param(Rice(), {"reech": 1}, "no input 'reech'", id="unknown-input"),
        pytest.param(Rice(), {"reach": -1}, "between 0 and 10", id="negative"),
        pytest.param(Rice(), {"reach": float("nan")}, "between 0 and 10", id="nan"),
        pytest.param(KanoFramework(), {"attractive": 2}, "no weights", id="kano"),
    ],
)
def test_bad_weights_are_refused(framework: object, weights: dict[str, float], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        reweight(framework, weights)  # type: ignore[arg-type]
