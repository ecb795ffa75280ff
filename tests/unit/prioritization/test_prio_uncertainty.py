"""Estimates, Monte Carlo and exact scoring against scipy, top-N probability, tornado, what-if."""

import math

import numpy as np
import pytest
from scipy import stats

from producthq.errors import InvalidInputError
from producthq.prioritization import uncertainty
from producthq.prioritization.formula import Criterion, WeightedScoring
from producthq.prioritization.scoring import Rice, Wsjf
from producthq.prioritization.uncertainty import (
    Estimate,
    Feature,
    parse_estimate,
    point_scores,
    simulate,
    tornado,
    what_if,
)

Z90 = stats.norm.ppf(0.95)


def rice(name: str, reach: Estimate, effort: Estimate, impact: Estimate | None = None) -> Feature:
    return Feature(
        name,
        {
            "reach": reach,
            "impact": impact or Estimate.point(1),
            "confidence": Estimate.point(1),
            "effort": effort,
        },
    )


def test_lognormal_range_is_the_central_interval() -> None:
    """100..400 at 90 %: mu = ln 200, sigma = ln 4 / (2 x 1.6449); 5 % and 95 % quantiles."""
    e = Estimate.between(100, 400, 0.9)
    assert e.kind == "lognormal"
    assert e.loc == pytest.approx(math.log(200))
    assert e.scale == pytest.approx(math.log(4) / (2 * Z90))
    assert e.quantile(0.05) == pytest.approx(100)
    assert e.quantile(0.95) == pytest.approx(400)


def test_range_from_zero_is_normal() -> None:
    e = Estimate.between(0, 10, 0.8)
    assert e.kind == "normal"
    assert e.median == 5
    assert e.quantile(0.9) == pytest.approx(10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("500", Estimate.point(500), id="point"),
        pytest.param("80%", Estimate.point(0.8), id="percent"),
        pytest.param(" 200 .. 800 ", Estimate.between(200, 800, 0.9), id="range-default-conf"),
        pytest.param("200..800@0.8", Estimate.between(200, 800, 0.8), id="range-conf"),
        pytest.param("50%..90%@80%", Estimate.between(0.5, 0.9, 0.8), id="percent-range"),
        pytest.param("1e3..2e3", Estimate.between(1000, 2000, 0.9), id="exponent"),
        pytest.param("5..5", Estimate.point(5), id="degenerate-range"),
    ],
)
def test_parse_estimate(text: str, expected: Estimate) -> None:
    assert parse_estimate(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("abc", "not a number or a range", id="word"),
        pytest.param("800..200", "above high", id="reversed"),
        pytest.param("5@0.8", "needs a range", id="point-with-confidence"),
        pytest.param("1..2@1.5", "between 0 and 1", id="bad-confidence"),
        pytest.param("200-800", "not a number or a range", id="dash"),
    ],
)
def test_parse_estimate_errors(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInputError, match=fragment):
        parse_estimate(text)


def _product_parameters(*estimates: tuple[Estimate, float]) -> tuple[float, float]:
    mu = sum(p * e.loc for e, p in estimates)
    sigma = math.sqrt(sum((p * e.scale) ** 2 for e, p in estimates))
    return mu, sigma


def test_monte_carlo_matches_lognormal_product_from_scipy() -> None:
    """Reach 200..800, impact 1..3, effort 1..4 (90 %), confidence 0.8.

    ln(score) = ln reach + ln impact + ln 0.8 - ln effort is normal, so the score is lognormal
    with s = sigma and scale = exp(mu); its quantiles come from scipy.stats.lognorm.
    """
    reach, impact, effort = (Estimate.between(*r) for r in ((200, 800), (1, 3), (1, 4)))
    feature = Feature(
        "x",
        {"reach": reach, "impact": impact, "confidence": Estimate.point(0.8), "effort": effort},
    )
    mu, sigma = _product_parameters((reach, 1), (impact, 1), (effort, -1))
    mu += math.log(0.8)
    reference = stats.lognorm(s=sigma, scale=math.exp(mu))
    result = simulate(Rice(), [feature], draws=40_000, seed=7, interval=0.9).features[0]
    # 40,000 draws: the 5 %/50 %/95 % quantiles are within ~1.5 % of the truth; allow 3 %.
    assert result.median == pytest.approx(reference.ppf(0.5), rel=0.03)
    assert result.low == pytest.approx(reference.ppf(0.05), rel=0.03)
    assert result.high == pytest.approx(reference.ppf(0.95), rel=0.03)

    exact = simulate(Rice(), [feature], method="exact", interval=0.9).features[0]
    assert exact.median == pytest.approx(reference.ppf(0.5), rel=1e-9)
    assert exact.low == pytest.approx(reference.ppf(0.05), rel=1e-9)
    assert exact.high == pytest.approx(reference.ppf(0.95), rel=1e-9)


def test_top_one_probability_matches_normal_difference() -> None:
    """Two lognormal scores: P(A > B) = Phi((mu_A - mu_B) / sqrt(s_A^2 + s_B^2))."""
    a = rice("a", Estimate.between(100, 400), Estimate.point(1))
    b = rice("b", Estimate.between(150, 300), Estimate.point(1))
    ea, eb = a.estimates["reach"], b.estimates["reach"]
    p_a = stats.norm.cdf((ea.loc - eb.loc) / math.hypot(ea.scale, eb.scale))
    ranking = simulate(Rice(), [a, b], draws=40_000, seed=3, top=1)
    got = {f.name: f.p_top for f in ranking.features}
    # Monte Carlo standard error sqrt(p(1-p)/40000) < 0.0025; allow 0.01.
    assert got["a"] == pytest.approx(p_a, abs=0.01)
    assert got["a"] + got["b"] == pytest.approx(1.0)
    exact = {
        f.name: f.p_top
        for f in simulate(Rice(), [a, b], draws=40_000, top=1, method="exact").features
    }
    assert exact["a"] == pytest.approx(p_a, abs=0.01)


def test_top_n_probabilities_sum_to_n() -> None:
    rng = np.random.default_rng(0)
    features = [
        rice(f"f{i}", Estimate.between(r, 3 * r), Estimate.between(1, 2))
        for i, r in enumerate(rng.uniform(10, 100, 30))
    ]
    ranking = simulate(Rice(), features, draws=500, top=5)
    assert sum(f.p_top for f in ranking.features) == pytest.approx(5.0)


def test_tied_points_share_top_places() -> None:
    features = [rice(n, Estimate.point(100), Estimate.point(1)) for n in "abc"]
    ranking = simulate(Rice(), features, top=1)
    assert [f.p_top for f in ranking.features] == pytest.approx([1 / 3] * 3)
    assert [f.rank for f in ranking.features] == [1, 1, 1]


def test_chunked_two_pass_equals_cached_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """With chunks, pass 2 redraws; with the same chunking it must see the same draws."""
    rng = np.random.default_rng(1)
    features = [
        rice(f"f{i}", Estimate.between(r, 2 * r), Estimate.between(1, 3))
        for i, r in enumerate(rng.uniform(10, 100, 40))
    ]
    cached = simulate(Rice(), features, draws=300, top=3, chunk_elements=300 * 7 * 6)
    monkeypatch.setattr(uncertainty, "CACHE_ELEMENTS", 0)
    redrawn = simulate(Rice(), features, draws=300, top=3, chunk_elements=300 * 7 * 6)
    assert cached == redrawn
    one_chunk = simulate(Rice(), features, draws=300, top=3)
    assert sum(f.p_top for f in one_chunk.features) == pytest.approx(3.0)


def test_tornado_names_the_input_that_moves_rank() -> None:
    """Others score 100, 200, 300, 400 (points). X: reach 250, effort 0.5..5.

    X's median effort is sqrt(0.5 x 5) = 1.58, score 158 -> rank 4. At effort 0.5 its score is
    500 (rank 1); at 5 it is 50 (rank 5): a swing of 4 places. Its reach is a point: swing 0.
    """
    others = [rice(f"o{r}", Estimate.point(r), Estimate.point(1)) for r in (100, 200, 300, 400)]
    x = rice("x", Estimate.point(250), Estimate.between(0.5, 5))
    ranking = simulate(Rice(), [*others, x], draws=200)
    row = next(f for f in ranking.features if f.name == "x")
    assert (row.driver, row.rank_swing) == ("effort", 4)
    bars = tornado(Rice(), [*others, x], "x")
    assert (bars[0].input, bars[0].rank_at_low, bars[0].rank_at_high) == ("effort", 1, 5)
    assert bars[0].score_at_low == pytest.approx(500)
    assert bars[-1].rank_swing == 0
    assert next(f for f in ranking.features if f.name == "o100").driver is None


def test_tornado_unknown_feature() -> None:
    with pytest.raises(InvalidInputError, match="no feature named 'zz'"):
        tornado(Rice(), [rice("a", Estimate.point(1), Estimate.point(1))], "zz")


def test_what_if_shows_ranking_move_when_weights_change() -> None:
    """value/fit weights 3/1 then 1/3.

    a: value 9, fit 1 -> 3x9 + 1 = 28, then 9 + 3 = 12
    b: value 2, fit 8 -> 6 + 8 = 14,  then 2 + 24 = 26
    """
    model = WeightedScoring("m", (Criterion("value", 3), Criterion("fit", 1)))
    features = [
        Feature("a", {"value": Estimate.point(9), "fit": Estimate.point(1)}),
        Feature("b", {"value": Estimate.point(2), "fit": Estimate.point(8)}),
    ]
    moves = what_if(features, model, model.with_weights({"value": 1, "fit": 3}))
    assert [(m.name, m.rank_before, m.rank_after, m.places_up) for m in moves] == [
        ("b", 2, 1, 1),
        ("a", 1, 2, -1),
    ]
    assert [m.score_after for m in moves] == [26.0, 12.0]


def test_exact_method_refuses_non_monomial_framework() -> None:
    f = Feature(
        "x",
        {
            "business_value": Estimate.between(1, 5),
            "time_criticality": Estimate.point(1),
            "risk_reduction": Estimate.point(1),
            "job_size": Estimate.point(2),
        },
    )
    with pytest.raises(InvalidInputError, match="exact method needs a product-of-powers"):
        simulate(Wsjf(), [f], method="exact")


def test_exact_method_refuses_normal_ranges() -> None:
    f = rice("x", Estimate.between(0, 100), Estimate.point(1))
    with pytest.raises(InvalidInputError, match="ranges above 0"):
        simulate(Rice(), [f], method="exact")


def test_missing_and_out_of_range_inputs_are_all_reported() -> None:
    bad = [
        Feature("a", {"reach": Estimate.point(1)}),
        rice("b", Estimate.point(1), Estimate.between(0, 2)),
    ]
    with pytest.raises(InvalidInputError) as caught:
        simulate(Rice(), bad)
    locs = [p.loc for p in caught.value.details]
    assert ("features", 0, "impact") in locs
    assert ("features", 1, "effort") in locs


def test_confidence_draws_are_clipped_to_one() -> None:
    f = Feature(
        "x",
        {
            "reach": Estimate.point(100),
            "impact": Estimate.point(1),
            "confidence": Estimate.between(0.5, 1.0, 0.5),
            "effort": Estimate.point(1),
        },
    )
    result = simulate(Rice(), [f], draws=2000, interval=0.98).features[0]
    assert result.high == pytest.approx(100.0)  # confidence never above 1


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInputError) as caught:
        simulate(Rice(), [], draws=0, interval=1.5, top=0)
    assert len(caught.value.details) == 4


def test_weighted_formula_runs_under_monte_carlo() -> None:
    model = WeightedScoring(
        "m",
        (Criterion("value", 2), Criterion("effort", 1, higher_is_better=False)),
        "w_value * value / effort",
    )
    features = [
        Feature("a", {"value": Estimate.between(2, 8), "effort": Estimate.between(1, 4)}),
        Feature("b", {"value": Estimate.point(3), "effort": Estimate.point(1)}),
    ]
    ranking = simulate(model, features, draws=1000, top=1)
    b = next(f for f in ranking.features if f.name == "b")
    assert b.median == b.low == b.high == 6.0
    assert point_scores(model, features).tolist() == pytest.approx([2 * 4 / 2, 6.0])
