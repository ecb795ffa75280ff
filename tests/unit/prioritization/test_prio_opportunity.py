"""The opportunity framework and the momentum of requests (pure)."""

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from producthq.prioritization.evidence import Request, momentum_of, summarize
from producthq.prioritization.scoring import Opportunity, default_registry
from producthq.prioritization.uncertainty import Estimate, Feature, simulate


def _two_sided_binomial(k: int, n: int) -> float:
    """Exact two-sided p-value of k of n at p = 1/2, by enumerating the binomial (reference)."""
    probs = [math.comb(n, i) / 2**n for i in range(n + 1)]
    return min(1.0, sum(p for p in probs if p <= probs[k] * (1 + 1e-9)))


@pytest.mark.parametrize(
    ("monthly", "recent", "earlier", "momentum"),
    [
        pytest.param([0, 0, 0, 0, 0, 0], 0, 0, 1.0, id="no-requests"),
        pytest.param([1, 1, 1, 1, 1, 1], 3, 3, 1.0, id="flat"),
        pytest.param([2, 1, 0, 1, 2, 3], 6, 3, 7 / 4, id="rising"),
        pytest.param([5, 5, 5, 0, 0, 0], 0, 15, 0.25, id="gone-quiet-clipped"),
        pytest.param([0, 0, 0, 9, 9, 9], 27, 0, 4.0, id="new-clipped"),
    ],
)
def test_momentum_is_smoothed_rate_ratio_clipped(
    monthly: list[int], recent: int, earlier: int, momentum: float
) -> None:
    r, e, m, p = momentum_of(monthly)
    assert (r, e) == (recent, earlier)
    assert m == pytest.approx(momentum)
    if recent + earlier:
        assert p == pytest.approx(_two_sided_binomial(recent, recent + earlier))
    else:
        assert p is None


def test_evidence_lists_requesting_companies_by_arr() -> None:
    now = datetime(2026, 6, 15, tzinfo=UTC)
    rs = [
        Request(1, now - timedelta(days=1), 7, None, "SMB", 5_000.0, "Small"),
        Request(2, now - timedelta(days=2), 9, None, "Ent", 90_000.0, "Big"),
        Request(3, now - timedelta(days=3), 9, None, "Ent", 90_000.0, "Big"),
        Request(4, now - timedelta(days=4), None, 3),
    ]
    e = summarize(rs, now=now)
    assert [(c.name, c.arr, c.requests) for c in e.customers] == [
        ("Big", 90_000.0, 2),
        ("Small", 5_000.0, 1),
    ]
    assert e.demand == 95_000.0


def test_opportunity_worked_example_and_exact_method_agree() -> None:
    """Demand 120 k, momentum 1.5, effort 3: 120 x 1.5 / 3 = 60; 40 x 2 / 1 = 80."""
    fw = Opportunity()
    assert "opportunity" in default_registry()
    values = {
        "demand": np.array([120.0, 40.0]),
        "momentum": np.array([1.5, 2.0]),
        "effort": np.array([3.0, 1.0]),
    }
    assert fw.score(values).tolist() == [60.0, 80.0]
    feats = [
        Feature("a", {"demand": Estimate.point(120), "momentum": Estimate.point(1.5),
                      "effort": Estimate.between(2, 4.5)}),
        Feature("b", {"demand": Estimate.point(40), "momentum": Estimate.point(2),
                      "effort": Estimate.point(1)}),
    ]  # fmt: skip
    exact = simulate(fw, feats, method="exact", draws=500)
    # a: median effort sqrt(2 * 4.5) = 3, so the median score is 120 * 1.5 / 3 = 60.
    medians = {f.name: f.median for f in exact.features}
    assert medians == {"a": pytest.approx(60.0), "b": pytest.approx(80.0)}
