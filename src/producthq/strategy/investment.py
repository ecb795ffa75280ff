"""The investment mix: target shares per objective vs the effort actually planned (pure).

Targets are percentages over the objectives of one period and must add up to 100 (within
0.01, so thirds such as 33.33 + 33.33 + 33.34 pass). Planned shares are each objective's
effort (the sum over its links) divided by the period's total effort.
"""

from __future__ import annotations

from collections.abc import Sequence

TOLERANCE = 0.01


def mix_problem(percentages: Sequence[float]) -> str | None:
    """Return why target percentages are not a valid mix, or ``None`` when they are.

    Examples:
        >>> mix_problem([50, 30, 20]) is None
        True
        >>> mix_problem([50, 30])
        'the percentages add up to 80; they must add up to 100'
    """
    total = sum(percentages)
    if abs(total - 100.0) > TOLERANCE:
        return f"the percentages add up to {total:g}; they must add up to 100"
    return None


def planned_shares(efforts: Sequence[float]) -> list[float | None]:
    """Return each effort as a percentage of the total; ``None`` for all when nothing is planned.

    Examples:
        >>> planned_shares([3, 1, 0])
        [75.0, 25.0, 0.0]
        >>> planned_shares([0, 0])
        [None, None]
    """
    total = sum(efforts)
    if total <= 0:
        return [None for _ in efforts]
    return [100.0 * e / total for e in efforts]
