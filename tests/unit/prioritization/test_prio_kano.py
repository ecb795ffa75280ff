"""Kano evaluation table, majority category and Timko's better/worse coefficients.

Sources: Berger et al. (1993), "Kano's methods for understanding customer-defined quality",
Center for Quality Management Journal 2(4) (evaluation table, Timko's coefficients); the same
table is shown at https://sathvickollu.com/tools/kano-model/ ("present = I like it, absent = I
dislike it -> Performance; I like it / I can live with -> Attractive; I expect it / I dislike it ->
Must-be"); tie-break M > O > A > I from Matzler & Hinterhuber (1998), Technovation 18(1).
"""

import numpy as np
import pytest

from producthq.errors import InvalidInputError
from producthq.prioritization.kano import (
    EVALUATION_TABLE,
    KanoCategory,
    KanoTally,
    better_coefficient,
    classify,
    majority_category,
    parse_answer,
    tally,
    worse_coefficient,
)

A, O, M, I, R, Q = (  # noqa: E741 - the letters of the Kano table
    KanoCategory.attractive,
    KanoCategory.one_dimensional,
    KanoCategory.must_be,
    KanoCategory.indifferent,
    KanoCategory.reverse,
    KanoCategory.questionable,
)


@pytest.mark.parametrize(
    ("functional", "dysfunctional", "expected"),
    [
        pytest.param("like", "dislike", O, id="like-dislike-one-dimensional"),
        pytest.param("like", "tolerate", A, id="like-livewith-attractive"),
        pytest.param("like", "expect", A, id="like-expect-attractive"),
        pytest.param("like", "neutral", A, id="like-neutral-attractive"),
        pytest.param("expect", "dislike", M, id="expect-dislike-must-be"),
        pytest.param("neutral", "dislike", M, id="neutral-dislike-must-be"),
        pytest.param("tolerate", "dislike", M, id="livewith-dislike-must-be"),
        pytest.param("neutral", "neutral", I, id="neutral-neutral-indifferent"),
        pytest.param("expect", "tolerate", I, id="expect-livewith-indifferent"),
        pytest.param("like", "like", Q, id="like-like-questionable"),
        pytest.param("dislike", "dislike", Q, id="dislike-dislike-questionable"),
        pytest.param("dislike", "like", R, id="dislike-like-reverse"),
        pytest.param("neutral", "like", R, id="neutral-like-reverse"),
        pytest.param("dislike", "neutral", R, id="dislike-neutral-reverse"),
    ],
)
def test_evaluation_table_cells(
    functional: str, dysfunctional: str, expected: KanoCategory
) -> None:
    assert classify(functional, dysfunctional) is expected


def test_table_has_25_cells_with_published_counts() -> None:
    """Berger et al.: 1 O, 3 A, 3 M, 9 I, 7 R, 2 Q in the 5 x 5 table."""
    counts = {c: list(EVALUATION_TABLE.values()).count(c) for c in KanoCategory}
    assert counts == {A: 3, O: 1, M: 3, I: 9, R: 7, Q: 2}


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("I like it", "like"),
        ("must-be", "expect"),
        ("I can live with it", "tolerate"),
        ("5", "dislike"),
    ],
)
def test_parse_answer_accepts_survey_wordings(text: str, answer: str) -> None:
    assert parse_answer(text).value == answer


def test_tally_reports_every_bad_answer() -> None:
    with pytest.raises(InvalidInputError) as caught:
        tally([("like", "dislike"), ("love it", "dislike"), ("like", "meh")])
    locs = [p.loc for p in caught.value.details]
    assert locs == [("answers", 1, "functional"), ("answers", 2, "dysfunctional")]


def test_worked_better_worse_example() -> None:
    """A=4, O=2, M=3, I=1, R=1, Q=1 (R and Q left out, as Timko does).

    better = (4 + 2) / (4 + 2 + 3 + 1) = 6 / 10 = 0.6
    worse = -(2 + 3) / 10 = -0.5
    """
    t = KanoTally(
        attractive=4, one_dimensional=2, must_be=3, indifferent=1, reverse=1, questionable=1
    )
    assert t.better == pytest.approx(0.6)
    assert t.worse == pytest.approx(-0.5)
    assert t.category is A
    assert t.total == 12


def test_tally_from_answers_then_coefficients() -> None:
    """Like/dislike x3 (O), expect/dislike x2 (M), like/neutral (A), neutral/neutral (I).

    O=3, M=2, A=1, I=1: better = (1 + 3) / 7 = 0.5714..., worse = -(3 + 2) / 7 = -0.7142...
    """
    pairs = [("like", "dislike")] * 3 + [("expect", "dislike")] * 2
    pairs += [("like", "neutral"), ("neutral", "neutral")]
    t = tally(pairs)
    assert (t.one_dimensional, t.must_be, t.attractive, t.indifferent) == (3, 2, 1, 1)
    assert t.category is O
    assert t.better == pytest.approx(4 / 7)
    assert t.worse == pytest.approx(-5 / 7)


@pytest.mark.parametrize(
    ("tally_", "expected"),
    [
        pytest.param(KanoTally(attractive=2, must_be=2), M, id="M-beats-A"),
        pytest.param(KanoTally(attractive=2, one_dimensional=2), O, id="O-beats-A"),
        pytest.param(KanoTally(indifferent=2, attractive=2), A, id="A-beats-I"),
        pytest.param(KanoTally(), None, id="empty"),
    ],
)
def test_majority_ties_follow_m_o_a_i(tally_: KanoTally, expected: KanoCategory | None) -> None:
    assert tally_.category is expected


def test_coefficients_undefined_without_aomi_answers() -> None:
    assert KanoTally(reverse=3).better is None
    zero = np.array([0.0])
    assert better_coefficient(zero, zero, zero, zero).tolist() == [0.0]
    assert worse_coefficient(zero, zero, zero, zero).tolist() == [0.0]


def test_vectorised_majority_matches_tally() -> None:
    counts = {
        A: np.array([2.0, 0.0, 5.0]),
        M: np.array([2.0, 0.0, 1.0]),
        I: np.array([1.0, 0.0, 6.0]),
    }
    assert majority_category(counts).tolist() == ["must_be", "", "indifferent"]
