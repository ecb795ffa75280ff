"""Priority poker: hidden votes, reveal, median aggregate and the disagreement rule."""

import math

import pytest

from producthq.errors import ConflictError, InvalidInputError
from producthq.prioritization.poker import PokerRound, Vote, aggregate
from producthq.prioritization.uncertainty import Estimate


def _round() -> PokerRound:
    return PokerRound("checkout: effort", ("ana", "bo", "cy"))


def test_votes_stay_hidden_until_revealed() -> None:
    r = _round().submit("ana", 3).submit("bo", 13)
    view = r.view("ana")
    assert view.own == 3.0
    assert view.votes == ()
    assert view.result is None
    assert view.voted == ("ana", "bo")
    assert view.waiting_for == ("cy",)
    assert r.view("cy").own is None


def test_reveal_shows_all_votes_median_and_disagreement() -> None:
    """Votes 3, 5, 13: median 5; 13 / 3 = 4.33 > 2 -> disagreement; ana and cy explain."""
    r = _round().submit("ana", 3).submit("bo", 5).submit("cy", 13).reveal()
    view = r.view("bo")
    assert [v.value for v in view.votes] == [3.0, 5.0, 13.0]
    result = view.result
    assert result is not None
    assert result.median == 5.0
    assert result.ratio == pytest.approx(13 / 3)
    assert result.disagreement
    assert result.explain == ("ana", "cy")
    # mean 7, sample sd sqrt(((3-7)^2 + (5-7)^2 + (13-7)^2) / 2) = sqrt(28) = 5.29; cv = 0.756
    assert result.cv == pytest.approx(math.sqrt(28) / 7)


def test_within_a_factor_of_two_is_agreement() -> None:
    result = aggregate([Vote("a", 5), Vote("b", 8), Vote("c", 10)])
    assert not result.disagreement
    assert result.explain == ()
    assert result.ratio == 2.0  # exactly 2 is not more than 2


def test_zero_next_to_positive_disagrees() -> None:
    assert aggregate([Vote("a", 0), Vote("b", 1)]).ratio == math.inf
    assert aggregate([Vote("a", 0), Vote("b", 1)]).disagreement
    assert not aggregate([Vote("a", 0), Vote("b", 0)]).disagreement


def test_revote_before_reveal_replaces_the_vote() -> None:
    r = _round().submit("ana", 3).submit("ana", 8)
    assert r.view("ana").own == 8.0
    assert len(r.votes) == 1


def test_no_votes_after_reveal() -> None:
    r = _round().submit("ana", 3).reveal()
    with pytest.raises(ConflictError, match="revealed"):
        r.submit("bo", 5)
    with pytest.raises(ConflictError, match="already revealed"):
        r.reveal()


def test_cannot_reveal_empty_round() -> None:
    with pytest.raises(ConflictError, match="no votes"):
        _round().reveal()


@pytest.mark.parametrize(
    ("member", "value", "fragment"),
    [
        pytest.param("zed", 3, "not a member", id="outsider"),
        pytest.param("ana", -1, "at least 0", id="negative"),
        pytest.param("ana", float("nan"), "at least 0", id="nan"),
    ],
)
def test_bad_votes(member: str, value: float, fragment: str) -> None:
    with pytest.raises(InvalidInputError, match=fragment):
        _round().submit(member, value)


def test_result_as_estimate() -> None:
    assert aggregate([Vote("a", 4), Vote("b", 4)]).estimate() == Estimate.point(4)
    assert aggregate([Vote("a", 2), Vote("b", 4), Vote("c", 9)]).estimate(0.8) == Estimate.between(
        2, 9, 0.8
    )


def test_aggregate_needs_votes() -> None:
    with pytest.raises(InvalidInputError, match="no votes"):
        aggregate([])
