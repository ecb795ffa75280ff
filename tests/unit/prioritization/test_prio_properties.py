"""Invariants checked with hypothesis: monotonicity, order invariance, points, intervals."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from producthq.prioritization.scoring import Ice, Rice, Wsjf
from producthq.prioritization.uncertainty import Estimate, Feature, simulate

positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0.01, max_value=1.0)
FAST = settings(max_examples=30, deadline=None)


@st.composite
def estimates(draw: st.DrawFn, lo: float = 0.01, hi: float = 1e4) -> Estimate:
    a = draw(st.floats(min_value=lo, max_value=hi))
    if draw(st.booleans()):
        return Estimate.point(a)
    b = draw(st.floats(min_value=lo, max_value=hi))
    conf = draw(st.sampled_from([0.5, 0.8, 0.9]))
    return Estimate.between(min(a, b), max(a, b), conf)


@st.composite
def rice_features(draw: st.DrawFn, min_size: int = 1, max_size: int = 8) -> list[Feature]:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return [
        Feature(
            f"f{i}",
            {
                "reach": draw(estimates()),
                "impact": draw(estimates(0.25, 3)),
                "confidence": draw(estimates(0.1, 1.0)),
                "effort": draw(estimates(0.1, 20)),
            },
        )
        for i in range(n)
    ]


@FAST
@given(positive, positive, positive, fraction, positive)
def test_rice_rises_with_reach_and_impact(
    r: float, extra: float, impact: float, c: float, e: float
) -> None:
    base = Rice().score(
        {
            "reach": np.array(r),
            "impact": np.array(impact),
            "confidence": np.array(c),
            "effort": np.array(e),
        }
    )
    more_reach = Rice().score(
        {
            "reach": np.array(r + extra),
            "impact": np.array(impact),
            "confidence": np.array(c),
            "effort": np.array(e),
        }
    )
    more_impact = Rice().score(
        {
            "reach": np.array(r),
            "impact": np.array(impact + extra),
            "confidence": np.array(c),
            "effort": np.array(e),
        }
    )
    assert more_reach >= base
    assert more_impact >= base


@FAST
@given(rice_features(min_size=1, max_size=1), st.floats(min_value=1.0, max_value=10.0))
def test_simulated_quantiles_rise_with_reach(features: list[Feature], factor: float) -> None:
    """Scaling reach's range up by a factor moves every quantile up (same seed, same draws)."""
    (f,) = features
    r = f.estimates["reach"]
    scaled = Feature(
        f.name, {**f.estimates, "reach": Estimate(r.low * factor, r.high * factor, r.confidence)}
    )
    a = simulate(Rice(), [f], draws=300, seed=1).features[0]
    b = simulate(Rice(), [scaled], draws=300, seed=1).features[0]
    assert b.low >= a.low * (1 - 1e-12)
    assert b.median >= a.median * (1 - 1e-12)
    assert b.high >= a.high * (1 - 1e-12)


@FAST
@given(rice_features(min_size=2, max_size=6), st.integers(min_value=0, max_value=3), positive)
def test_more_reach_never_worsens_point_rank(
    features: list[Feature], which: int, extra: float
) -> None:
    points = [
        Feature(f.name, {k: Estimate.point(e.median) for k, e in f.estimates.items()})
        for f in features
    ]
    i = which % len(points)
    target = points[i]
    reach = target.estimates["reach"].low
    boosted = Feature(target.name, {**target.estimates, "reach": Estimate.point(reach + extra)})
    before = {f.name: f.rank for f in simulate(Rice(), points).features}
    after = {
        f.name: f.rank for f in simulate(Rice(), [*points[:i], boosted, *points[i + 1 :]]).features
    }
    assert after[target.name] <= before[target.name]


@FAST
@given(rice_features(min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_result_is_invariant_to_feature_order(features: list[Feature], rnd: object) -> None:
    shuffled = list(features)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = simulate(Rice(), features, draws=200, top=2)
    b = simulate(Rice(), shuffled, draws=200, top=2)
    assert a == b


@FAST
@given(positive, positive, positive, st.floats(min_value=0.1, max_value=20))
def test_point_range_equals_point_score(r: float, i: float, c: float, e: float) -> None:
    c = min(c, 1.0)
    as_points = Feature(
        "x",
        {
            "reach": Estimate.point(r),
            "impact": Estimate.point(i),
            "confidence": Estimate.point(c),
            "effort": Estimate.point(e),
        },
    )
    as_ranges = Feature(
        "x",
        {k: Estimate(v.low, v.low, 0.8) for k, v in as_points.estimates.items()},
    )
    expected = r * i * c / e
    for feature in (as_points, as_ranges):
        got = simulate(Rice(), [feature], draws=100).features[0]
        assert got.median == got.low == got.high
        assert (
            got.median == np.float64(r) * i * c / e
            or abs(got.median - expected) <= 1e-12 * expected
        )


@FAST
@given(rice_features(min_size=1, max_size=6))
def test_interval_contains_median(features: list[Feature]) -> None:
    for f in simulate(Rice(), features, draws=200).features:
        assert f.low <= f.median <= f.high
        assert 0.0 <= f.p_top <= 1.0


@FAST
@given(rice_features(min_size=1, max_size=5))
def test_exact_interval_contains_median_and_matches_points(features: list[Feature]) -> None:
    for f in simulate(Rice(), features, draws=100, method="exact").features:
        assert f.low <= f.median <= f.high


@FAST
@given(
    st.lists(
        st.tuples(
            *(st.floats(min_value=0, max_value=20),) * 3, st.floats(min_value=0.5, max_value=20)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_wsjf_and_ice_are_order_invariant_for_points(
    rows: list[tuple[float, float, float, float]],
) -> None:
    features = [
        Feature(
            f"f{i}",
            {
                "business_value": Estimate.point(v),
                "time_criticality": Estimate.point(t),
                "risk_reduction": Estimate.point(r),
                "job_size": Estimate.point(s),
                "impact": Estimate.point(min(v, 10)),
                "confidence": Estimate.point(min(t, 10)),
                "ease": Estimate.point(min(r, 10)),
            },
        )
        for i, (v, t, r, s) in enumerate(rows)
    ]
    for framework in (Wsjf(), Ice()):
        assert simulate(framework, features) == simulate(framework, features[::-1])
