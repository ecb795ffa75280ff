"""Built-in frameworks against worked examples from public sources, and the registry.

Every expected value is computed by hand in the comment beside it, from the source's numbers.
"""

import numpy as np
import pytest

from producthq.errors import ConflictError, InvalidInputError
from producthq.prioritization.scoring import (
    FloatArray,
    FrameworkRegistry,
    Ice,
    IceMean,
    InputSpec,
    KanoFramework,
    Rice,
    StrArray,
    ValueEffort,
    Values,
    Wsjf,
    competition_ranks,
    default_registry,
)


def _arrays(**values: float) -> dict[str, np.ndarray]:
    return {k: np.array([v], dtype=np.float64) for k, v in values.items()}


@pytest.mark.parametrize(
    ("reach", "impact", "confidence", "effort", "expected"),
    [
        # https://github.com/timeclick-software/awesome-time-tracking, details/rice-framework.md,
        # "Feature A": (2,000 x 2 x 0.8) / 4 = 3,200 / 4 = 800.
        pytest.param(2000, 2, 0.8, 4, 800.0, id="awesome-time-tracking-feature-a"),
        # https://www.hashbuilds.com/patterns/what-is-rice-score, "Intercom example -
        # Onboarding improvement": 5,000 x 2 x 0.8 / 2 = 8,000 / 2 = 4,000.
        pytest.param(5000, 2, 0.8, 2, 4000.0, id="hashbuilds-onboarding"),
        # Same page, "Fix critical bug": 10,000 x 3 x 1.0 / 0.5 = 30,000 / 0.5 = 60,000.
        pytest.param(10000, 3, 1.0, 0.5, 60000.0, id="hashbuilds-critical-bug"),
        # Same page, "Custom enterprise feature": 10 x 3 x 1.0 / 6 = 30 / 6 = 5.
        pytest.param(10, 3, 1.0, 6, 5.0, id="hashbuilds-enterprise"),
        # Intercom's scale (McBride, "RICE: Simple prioritization for product managers",
        # intercom.com/blog, 2016): 500 people, high impact 2, medium confidence 80 %,
        # 2 person-months: 500 x 2 x 0.8 / 2 = 800 / 2 = 400.
        pytest.param(500, 2, 0.8, 2, 400.0, id="intercom-scale"),
    ],
)
def test_rice_matches_published_examples(
    reach: float, impact: float, confidence: float, effort: float, expected: float
) -> None:
    """RICE = reach x impact x confidence / effort (Intercom, Sean McBride, 2016)."""
    got = Rice().score(_arrays(reach=reach, impact=impact, confidence=confidence, effort=effort))
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_ice_product_matches_published_example() -> None:
    """https://idaete.com/tools/ice-scoring-model, "Option A: Complex Mortgage Predictor".

    Impact 8, confidence 6, ease 3: 8 x 6 = 48, 48 x 3 = 144.
    """
    assert Ice().score(_arrays(impact=8, confidence=6, ease=3))[0] == 144.0


def test_ice_mean_is_the_ellis_brown_average() -> None:
    """https://votito.com/methods/ice-score: Ellis and Brown average the three 1-10 scores.

    Same inputs as the mortgage example: (8 + 6 + 3) / 3 = 17 / 3 = 5.666...
    """
    assert IceMean().score(_arrays(impact=8, confidence=6, ease=3))[0] == pytest.approx(17 / 3)


@pytest.mark.parametrize(
    ("value", "critical", "risk", "size", "expected"),
    [
        # https://www.extrapinchofsalt.com/pm/frameworks/wsjf.html, "Fixing a free-tier ad load
        # bug": BV 7 + TC 9 + RR 5 = CoD 21; 21 / size 2 = 10.5.
        pytest.param(7, 9, 5, 2, 10.5, id="ad-load-bug"),
        # Same page, "new podcast discovery feed": 8 + 3 + 4 = 15; 15 / 8 = 1.875 (shown as 1.9).
        pytest.param(8, 3, 4, 8, 1.875, id="podcast-feed"),
        # https://jchyip.medium.com/problems-i-have-with-safe-style-wsjf: UBV 1 + TC 3 + RR 5
        # = cost of delay 9; with job size 3 (our choice): 9 / 3 = 3.
        pytest.param(1, 3, 5, 3, 3.0, id="yip-cost-of-delay-9"),
    ],
)
def test_wsjf_matches_published_examples(
    value: float, critical: float, risk: float, size: float, expected: float
) -> None:
    """WSJF = (user-business value + time criticality + RR|OE) / job size (SAFe)."""
    got = Wsjf().score(
        _arrays(business_value=value, time_criticality=critical, risk_reduction=risk, job_size=size)
    )
    assert got[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "effort", "quadrant"),
    [
        pytest.param(9, 2, "quick_win", id="high-value-low-effort"),
        pytest.param(9, 9, "big_bet", id="high-value-high-effort"),
        pytest.param(2, 2, "fill_in", id="low-value-low-effort"),
        pytest.param(2, 9, "money_pit", id="low-value-high-effort"),
        pytest.param(5, 5, "big_bet", id="thresholds-count-as-high"),
        pytest.param(4.99, 4.99, "fill_in", id="just-below-thresholds"),
    ],
)
def test_value_effort_quadrants(value: float, effort: float, quadrant: str) -> None:
    """Quadrants as in https://decikit.com/en/frameworks/value-vs-effort-matrix."""
    labels = ValueEffort().label(_arrays(value=value, effort=effort))
    assert labels is not None
    assert labels.tolist() == [quadrant]


def test_value_effort_score_is_value_per_effort() -> None:
    """9 value for 3 effort: 9 / 3 = 3."""
    assert ValueEffort().score(_arrays(value=9, effort=3))[0] == 3.0


def test_kano_framework_scores_better_and_labels_majority() -> None:
    """A=4, O=2, M=3, I=1: better = (4+2)/10 = 0.6; majority A."""
    values = _arrays(attractive=4, one_dimensional=2, must_be=3, indifferent=1, reverse=0)
    values["questionable"] = np.array([0.0])
    assert KanoFramework().score(values)[0] == pytest.approx(0.6)
    labels = KanoFramework().label(values)
    assert labels is not None
    assert labels.tolist() == ["attractive"]


def test_frameworks_are_vectorised_over_draw_matrices() -> None:
    reach = np.array([[100.0, 200.0], [300.0, 400.0]])
    values = {
        "reach": reach,
        "impact": np.array([[1.0], [2.0]]),
        "confidence": np.array(1.0),
        "effort": np.array(2.0),
    }
    assert Rice().score(values).tolist() == [[50.0, 100.0], [300.0, 400.0]]


def test_default_registry_lists_builtins_in_order() -> None:
    assert default_registry().slugs() == (
        "rice",
        "ice",
        "ice_mean",
        "wsjf",
        "value_effort",
        "kano",
        "opportunity",
    )


def test_registry_rejects_unknown_slug_listing_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="unknown framework 'rise'; known: rice"):
        default_registry().get("rise")


def test_registry_rejects_duplicate_slug_unless_replacing() -> None:
    registry = FrameworkRegistry([Rice()])
    with pytest.raises(ConflictError):
        registry.register(Rice())
    registry.register(Rice(), replace=True)
    assert len(registry) == 1


def test_user_framework_registers_like_a_builtin() -> None:
    class Reach:
        slug = "reach_only"
        title = "Reach only"
        inputs = (InputSpec("reach", "people"),)
        log_exponents = {"reach": 1.0}

        def score(self, values: Values) -> FloatArray:
            return np.asarray(values["reach"], dtype=np.float64)

        def label(self, values: Values) -> StrArray | None:
            return None

    registry = default_registry()
    registry.register(Reach())
    assert registry.get("reach_only").title == "Reach only"


def test_registry_rejects_objects_that_are_not_frameworks() -> None:
    with pytest.raises(InvalidInputError, match="Framework protocol"):
        FrameworkRegistry().register(object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "value", "reason"),
    [
        pytest.param(Rice().inputs[3], 0.0, "effort must be greater than 0", id="effort-zero"),
        pytest.param(Rice().inputs[2], 80.0, "confidence must be at most 1", id="confidence-80"),
        pytest.param(Rice().inputs[0], -1.0, "reach must be at least 0", id="negative-reach"),
        pytest.param(Rice().inputs[0], float("nan"), "finite", id="nan"),
    ],
)
def test_input_bounds(spec: InputSpec, value: float, reason: str) -> None:
    problem = spec.problem(value)
    assert problem is not None and reason in problem


def test_competition_ranks_share_ties() -> None:
    assert competition_ranks(np.array([5.0, 5.0, 9.0, 1.0])).tolist() == [2, 2, 1, 4]
