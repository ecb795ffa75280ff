"""Progress of key results and objectives (pure; no database, no web).

Method (documented in ``docs/strategy.md`` terms):

* A key result moves from ``baseline`` towards ``target``. Its progress is
  ``(current - baseline) / (target - baseline)`` clipped to ``[0, 1]``. The same formula serves
  decreasing key results (``target < baseline``): both differences are negative, so the ratio is
  positive as the value falls. ``direction`` only decides the zero-range case.
* Zero range (``baseline == target``): the ratio is undefined, so progress is 1 once the
  current value is at or beyond the target in the key result's direction, else 0.
* An objective's progress is the unweighted mean of its key results' progress; an objective
  without key results has no progress (``None``), never a made-up 0.
* Confidence is a number in ``[0, 1]``; the words low/medium/high map to 0.3/0.6/0.9.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import StrEnum


class Direction(StrEnum):
    """Which way a key result's metric should move."""

    increase = "increase"
    decrease = "decrease"


CONFIDENCE_WORDS: dict[str, float] = {"low": 0.3, "medium": 0.6, "high": 0.9}


def key_result_progress(
    *, baseline: float, target: float, current: float, direction: Direction | str
) -> float:
    """Return a key result's progress in ``[0, 1]``.

    Args:
        baseline: the value when the key result was set.
        target: the value that means "done".
        current: the latest value.
        direction: ``increase`` or ``decrease``; used only when ``baseline == target``.

    Examples:
        >>> key_result_progress(baseline=10, target=20, current=15, direction="increase")
        0.5
        >>> key_result_progress(baseline=10, target=5, current=8, direction="decrease")
        0.4
        >>> key_result_progress(baseline=10, target=20, current=25, direction="increase")
        1.0
        >>> key_result_progress(baseline=3, target=3, current=2, direction="decrease")
        1.0
    """
    values = (baseline, target, current)
    if not all(math.isfinite(v) for v in values):
        raise ValueError("baseline, target and current must be finite numbers")
    span = target - baseline
    if span == 0:
        decreasing = Direction(direction) == Direction.decrease
        reached = current <= target if decreasing else current >= target
        return 1.0 if reached else 0.0
    ratio = (current - baseline) / span
    return min(1.0, max(0.0, ratio))


def objective_progress(progresses: Iterable[float]) -> float | None:
    """Return the mean of the key results' progress, or ``None`` when there are none.

    Examples:
        >>> objective_progress([0.5, 1.0, 0.0])
        0.5
        >>> objective_progress([]) is None
        True
    """
    items = list(progresses)
    if not items:
        return None
    return sum(items) / len(items)


def parse_confidence(value: float | str | None) -> float | None:
    """Turn a confidence (a number in [0, 1] or low/medium/high) into a number.

    Raises:
        ValueError: the word is unknown or the number is outside [0, 1].

    Examples:
        >>> parse_confidence("High")
        0.9
        >>> parse_confidence(0.25)
        0.25
        >>> parse_confidence("0.4")
        0.4
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in CONFIDENCE_WORDS:
            return CONFIDENCE_WORDS[word]
        try:
            number = float(word)
        except ValueError:
            raise ValueError(
                f"confidence {value!r} is neither a number in [0, 1] nor low/medium/high"
            ) from None
    else:
        number = float(value)
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise ValueError(f"confidence {number} is outside [0, 1]")
    return number


def confidence_label(value: float | None) -> str:
    """Name a confidence: below 0.45 low, below 0.75 medium, else high ('—' when unset).

    Examples:
        >>> [confidence_label(v) for v in (0.3, 0.6, 0.9, None)]
        ['low', 'medium', 'high', '—']
    """
    if value is None:
        return "—"
    if value < 0.45:
        return "low"
    if value < 0.75:
        return "medium"
    return "high"


def check_direction(*, baseline: float, target: float, direction: Direction | str) -> str | None:
    """Return why ``target`` contradicts ``direction``, or ``None`` when they agree.

    Examples:
        >>> check_direction(baseline=5, target=3, direction="increase")
        'target 3 is below baseline 5 but the direction is increase'
        >>> check_direction(baseline=5, target=5, direction="decrease") is None
        True
    """
    d = Direction(direction)
    if d == Direction.increase and target < baseline:
        return f"target {target:g} is below baseline {baseline:g} but the direction is increase"
    if d == Direction.decrease and target > baseline:
        return f"target {target:g} is above baseline {baseline:g} but the direction is decrease"
    return None
