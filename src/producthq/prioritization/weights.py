"""What-if weights: a framework with a weight on each input (pure).

Weights let a team ask "what if reach mattered half as much?" without inventing a new
framework. A weight of 1 on every input gives the framework itself (the same object is
returned). How a weight acts depends on the framework's shape:

* **products of powers** (``rice``, ``ice``, ``value_effort``; those declaring
  ``log_exponents``): the weight multiplies the input's exponent, so the score becomes
  prod x_k^(w_k e_k). Weight 0 removes the input, 2 squares its effect. This keeps the
  framework multiplicative, as in weighted-product models (Triantaphyllou, "Multi-Criteria
  Decision Making Methods", 2000, ch. 2).
* **WSJF**: the weights multiply the three cost-of-delay terms and the exponent of job size:
  (w_bv bv + w_tc tc + w_rr rr) / job_size^w_js.
* **ICE average** (``ice_mean``): a weighted mean sum(w_k x_k) / sum(w_k).
* **user-defined weighted scoring**: the model's own weights (``WeightedScoring.with_weights``),
  each between 0 and ``MAX_CRITERION_WEIGHT``.

Other frameworks (Kano) have no weights; asking for them is an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from producthq.errors import InvalidInputError, ProblemCollector
from producthq.prioritization.formula import WeightedScoring
from producthq.prioritization.scoring import (
    FloatArray,
    Framework,
    IceMean,
    InputSpec,
    StrArray,
    Values,
    Wsjf,
)

MAX_WEIGHT = 10.0
MAX_CRITERION_WEIGHT = 1000.0


def _check(framework: Framework, weights: Mapping[str, float]) -> dict[str, float]:
    names = [s.name for s in framework.inputs]
    # A user-defined model's weights are its own criterion weights (e.g. 40/30/30), not
    # multipliers of a published framework, so they may be larger.
    top = MAX_CRITERION_WEIGHT if isinstance(framework, WeightedScoring) else MAX_WEIGHT
    problems = ProblemCollector()
    for name, w in weights.items():
        if name not in names:
            problems.add(
                ("weights", name),
                f"{framework.slug} has no input {name!r}; inputs: {', '.join(names)}",
                "unknown_input",
            )
        elif not math.isfinite(w) or not 0.0 <= w <= top:
            problems.add(("weights", name), f"weight {w:g} must be between 0 and {top:g}", "range")
    problems.raise_if_any("bad weights")
    return {n: float(weights.get(n, 1.0)) for n in names}


@dataclass(frozen=True)
class Reweighted:
    """A framework with one weight per input (see the module docstring)."""

    base: Framework
    weights: Mapping[str, float]

    @property
    def slug(self) -> str:
        return self.base.slug

    @property
    def title(self) -> str:
        return f"{self.base.title}, reweighted"

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        return self.base.inputs

    @property
    def log_exponents(self) -> Mapping[str, float] | None:
        exps = self.base.log_exponents
        if exps is None:
            return None
        return {k: e * self.weights.get(k, 1.0) for k, e in exps.items()}

    def score(self, values: Values) -> FloatArray:
        exps = self.log_exponents
        if exps is not None:
            out: FloatArray | None = None
            for name, e in exps.items():
                x = np.asarray(values[name], dtype=np.float64)
                # x**0 is 1 even for x == 0: a weight of 0 removes the input entirely.
                term = np.ones_like(x) if e == 0 else np.power(x, e)
                out = term if out is None else out * term
            assert out is not None  # noqa: S101 - frameworks have at least one input
            return out
        w = self.weights
        if isinstance(self.base, Wsjf):
            cod = sum(
                w[k] * np.asarray(values[k], dtype=np.float64)
                for k in ("business_value", "time_criticality", "risk_reduction")
            )
            size = np.asarray(values["job_size"], dtype=np.float64)
            return np.asarray(cod / np.power(size, w["job_size"]), dtype=np.float64)
        if isinstance(self.base, IceMean):
            total = sum(w.values())
            if total == 0:
                raise InvalidInputError.single(("weights",), "at least one weight must be > 0")
            acc = sum(w[k] * np.asarray(values[k], dtype=np.float64) for k in w)
            return np.asarray(acc / total, dtype=np.float64)
        raise InvalidInputError.single(("weights",), f"{self.base.slug} has no weights")

    def label(self, values: Values) -> StrArray | None:
        return self.base.label(values)


def reweight(framework: Framework, weights: Mapping[str, float]) -> Framework:
    """Return ``framework`` with the given input weights (missing inputs keep weight 1).

    Examples:
        >>> from producthq.prioritization.scoring import Rice
        >>> v = {"reach": np.array([100.0]), "impact": np.array([2.0]),
        ...      "confidence": np.array([0.5]), "effort": np.array([4.0])}
        >>> reweight(Rice(), {"reach": 0}).score(v).tolist()  # 2 * 0.5 / 4
        [0.25]
        >>> reweight(Rice(), {}) == Rice()
        True

    Raises:
        InvalidInputError: an unknown input, a weight outside [0, 10], or a framework without
            weights (Kano).
    """
    full = _check(framework, weights)
    if isinstance(framework, WeightedScoring):
        return framework.with_weights(weights) if weights else framework
    if all(w == 1.0 for w in full.values()):
        return framework
    if framework.log_exponents is None and not isinstance(framework, Wsjf | IceMean):
        raise InvalidInputError.single(
            ("weights",), f"{framework.slug} has no weights to change", "no_weights"
        )
    return Reweighted(framework, full)
