"""Metric bindings of key results: the interface the analytics area plugs into (pure).

A key result may carry a binding ``{"metric": "dau", "params": {...}}``. Refreshing bound key
results asks a ``MetricEvaluator`` for each one's value; the evaluator is given, not imported,
so this area does not depend on analytics and tests pass a fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class MetricRequest:
    """What an evaluator is asked: one metric, its parameters and the key result's period."""

    key_result_id: int
    metric: str
    params: Mapping[str, Any]
    period_start: date
    period_end: date
    as_of: date


class MetricEvaluator(Protocol):
    """Compute a bound metric's current value; ``None`` means "no data yet".

    An evaluator raises ``ProductHQError`` for a request it cannot answer (an unknown metric,
    bad parameters); the refresh records the reason and carries on with the others.
    """

    def __call__(self, request: MetricRequest) -> float | None: ...


@dataclass
class RefreshReport:
    """What a refresh did: key results updated, and why others were skipped."""

    updated: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
