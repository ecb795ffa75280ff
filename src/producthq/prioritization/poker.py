"""Priority poker: team members estimate an input independently, then reveal together.

Method: planning poker (Grenning, "Planning Poker", 2002; Cohn, "Agile Estimating and
Planning", 2005, ch. 6) applied to prioritisation inputs (reach, impact, effort, ...). Estimates
stay hidden until the round is revealed, so nobody anchors on another's number; a member sees
only who has voted and their own estimate. After the reveal:

* the aggregate is the **median** vote, which one extreme vote cannot drag;
* the spread is reported as the coefficient of variation (sample standard deviation / mean) and
  as the ratio of the highest to the lowest vote;
* **disagreement** is flagged when the highest vote is more than ``DISAGREEMENT_RATIO`` (2) times
  the lowest, i.e. the team differs by more than a factor of two (a zero next to a positive vote
  always disagrees). As in planning poker, the members with the lowest and highest votes are named
  so they can explain before a re-vote.

Votes are non-negative numbers, as every built-in framework input is. Rounds are immutable values:
``submit`` and ``reveal`` return a new round, so a service can store each state.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace

from producthq.errors import ConflictError, InvalidInputError
from producthq.prioritization.uncertainty import DEFAULT_CONFIDENCE, Estimate

DISAGREEMENT_RATIO = 2.0


@dataclass(frozen=True)
class Vote:
    """One member's estimate."""

    member: str
    value: float


@dataclass(frozen=True)
class PokerResult:
    """The revealed votes summarised."""

    count: int
    median: float
    low: float
    high: float
    mean: float
    cv: float
    """Coefficient of variation (sample sd / mean); 0 for a single vote or a zero mean."""
    ratio: float
    """Highest / lowest vote (``inf`` when the lowest is 0 and the highest is not)."""
    disagreement: bool
    explain: tuple[str, ...]
    """Members with the lowest and highest votes when the team disagrees, else empty."""

    def estimate(self, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
        """The team's view as an estimate: the median if all agree, else low..high.

        Reading the spread of votes as a central ``confidence`` interval is a modelling choice.

        Examples:
            >>> aggregate([Vote("a", 2), Vote("b", 8)]).estimate(0.8)
            Estimate(low=2.0, high=8.0, confidence=0.8)
        """
        if self.low == self.high:
            return Estimate.point(self.median)
        return Estimate.between(self.low, self.high, confidence)


def aggregate(
    votes: list[Vote] | tuple[Vote, ...], *, ratio: float = DISAGREEMENT_RATIO
) -> PokerResult:
    """Summarise votes: median, spread and whether the team disagrees.

    Raises:
        InvalidInputError: there are no votes.

    Examples:
        >>> r = aggregate([Vote("ana", 3), Vote("bo", 5), Vote("cy", 13)])
        >>> r.median, r.disagreement, r.explain
        (5.0, True, ('ana', 'cy'))
        >>> aggregate([Vote("ana", 5), Vote("bo", 8)]).disagreement
        False
    """
    if not votes:
        raise InvalidInputError.single(("votes",), "there are no votes to aggregate", "empty")
    values = [v.value for v in votes]
    low, high = min(values), max(values)
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    cv = sd / mean if mean > 0 else 0.0
    spread = 1.0 if high == low else (math.inf if low == 0 else high / low)
    disagree = spread > ratio
    explain: tuple[str, ...] = ()
    if disagree:
        lowest = sorted(v.member for v in votes if v.value == low)
        highest = sorted(v.member for v in votes if v.value == high)
        explain = (*lowest, *highest)
    return PokerResult(
        count=len(values),
        median=float(statistics.median(values)),
        low=low,
        high=high,
        mean=mean,
        cv=cv,
        ratio=spread,
        disagreement=disagree,
        explain=explain,
    )


@dataclass(frozen=True)
class PokerView:
    """What one member sees of a round."""

    topic: str
    revealed: bool
    voted: tuple[str, ...]
    waiting_for: tuple[str, ...]
    own: float | None
    votes: tuple[Vote, ...]
    """Everyone's votes, only once revealed."""
    result: PokerResult | None


@dataclass(frozen=True)
class PokerRound:
    """One estimation round for one input of one feature.

    ``members`` lists who may vote (empty: anyone). Before the reveal a member's view holds only
    their own vote.

    Examples:
        >>> r = PokerRound("checkout: effort", ("ana", "bo"))
        >>> r = r.submit("ana", 3).submit("bo", 8)
        >>> r.view("ana").votes, r.view("ana").own
        ((), 3.0)
        >>> r.reveal().view("ana").result.median
        5.5
    """

    topic: str
    members: tuple[str, ...] = ()
    votes: tuple[Vote, ...] = ()
    revealed: bool = False

    def submit(self, member: str, value: float) -> PokerRound:
        """Record or replace ``member``'s hidden estimate.

        Raises:
            ConflictError: the round is already revealed.
            InvalidInputError: the member is not in the round, or the value is negative or
                not a finite number.
        """
        if self.revealed:
            raise ConflictError(f"round {self.topic!r} is revealed; start a new round to re-vote")
        if self.members and member not in self.members:
            raise InvalidInputError.single(
                ("member",), f"{member!r} is not a member of round {self.topic!r}", "not_member"
            )
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise InvalidInputError.single(
                ("value",), f"estimate must be a number at least 0, got {value:g}", "invalid"
            )
        kept = tuple(v for v in self.votes if v.member != member)
        return replace(self, votes=(*kept, Vote(member, value)))

    def reveal(self) -> PokerRound:
        """Show every vote.

        Raises:
            ConflictError: nobody has voted, or the round is already revealed.
        """
        if self.revealed:
            raise ConflictError(f"round {self.topic!r} is already revealed")
        if not self.votes:
            raise ConflictError(f"round {self.topic!r} has no votes to reveal")
        return replace(self, revealed=True)

    def view(self, viewer: str) -> PokerView:
        """What ``viewer`` may see now."""
        voted = tuple(sorted(v.member for v in self.votes))
        waiting = tuple(m for m in self.members if m not in voted)
        own = next((v.value for v in self.votes if v.member == viewer), None)
        if not self.revealed:
            return PokerView(self.topic, False, voted, waiting, own, (), None)
        ordered = tuple(sorted(self.votes, key=lambda v: (v.value, v.member)))
        return PokerView(self.topic, True, voted, waiting, own, ordered, aggregate(ordered))
