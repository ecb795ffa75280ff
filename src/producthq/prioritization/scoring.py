"""Scoring frameworks: the plug-in protocol, the registry and the built-in frameworks.

A framework is a small object with a stable ``slug``, its ``inputs`` (name, description,
direction, allowed range) and a ``score`` that takes a mapping of input name to numpy array and
returns an array of scores. Because ``score`` is vectorised, the same code scores one point
estimate per feature or a (features x draws) matrix of Monte Carlo draws
(``producthq.prioritization.uncertainty``). Built-ins register in the registry exactly as
user-defined frameworks do (``producthq.prioritization.formula.WeightedScoring``), following the
plug-in pattern of datasette's facets.

Built-in methods and sources:

* ``rice``: reach x impact x confidence / effort. Sean McBride, "RICE: Simple prioritization for
  product managers", Intercom blog, 2016. Impact on Intercom's scale (3 massive, 2 high,
  1 medium, 0.5 low, 0.25 minimal), confidence a fraction (1 = 100 %), effort in person-months.
* ``ice``: impact x confidence x ease, each on 1-10. Sean Ellis (GrowthHackers); multiplying is
  the form Itamar Gilad recommends ("Evidence Guided", 2023), because a low confidence then pulls
  the score down hard. ``ice_mean`` is the average (impact + confidence + ease) / 3 that Ellis and
  Brown describe in "Hacking Growth" (2017).
* ``wsjf``: (user-business value + time criticality + risk reduction / opportunity enablement)
  / job size. Scaled Agile Framework, "WSJF" (https://scaledagileframework.com/wsjf/), after
  Reinertsen, "The Principles of Product Development Flow" (2009).
* ``value_effort``: the 2x2 value vs effort matrix. The score is value / effort (value per unit
  of effort); the label is the quadrant. With both axes on 1-10 and both thresholds at 5, a
  feature is *high value* when value >= 5 and *high effort* when effort >= 5; quadrants: quick
  win (high value, low effort), big bet (high value, high effort), fill-in (low, low) and money
  pit (low value, high effort; also called time sink).
* ``kano``: Timko's better coefficient from Kano category counts; the label is the majority
  category (see ``producthq.prioritization.kano``).
* ``opportunity``: demand x momentum / effort, the evidence-based framework of ProductHQ.
  Demand is the ARR of the customers who asked (in thousands), momentum the request-trend
  factor (recent over earlier requests, see ``producthq.prioritization.evidence``), effort in
  person-months. It is a weighted-product model (Triantaphyllou, "Multi-Criteria Decision
  Making Methods", 2000, ch. 2) of revenue at stake, its direction and its cost; in a workspace
  demand and momentum are derived from the linked feedback, effort is estimated.

Assumption shared by all: inputs are numbers on a ratio or interval scale chosen by the team;
the scores rank features within one backlog and mean nothing across backlogs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from producthq.errors import ConflictError, InvalidInputError
from producthq.prioritization import kano

FloatArray = npt.NDArray[np.float64]
StrArray = npt.NDArray[np.str_]
Values = Mapping[str, FloatArray]


@dataclass(frozen=True)
class InputSpec:
    """One input of a framework: its name, meaning, direction and allowed range.

    ``minimum``/``maximum`` bound the values (``None``: unbounded); ``exclusive_minimum`` makes the
    minimum itself invalid (effort must be > 0). ``default`` fills a missing input.
    """

    name: str
    description: str
    higher_is_better: bool = True
    minimum: float | None = 0.0
    maximum: float | None = None
    exclusive_minimum: bool = False
    default: float | None = None

    def problem(self, value: float) -> str | None:
        """Return why ``value`` is not allowed for this input, or ``None`` if it is.

        Examples:
            >>> InputSpec("effort", "person-months", minimum=0.0, exclusive_minimum=True).problem(0)
            'effort must be greater than 0'
        """
        if not math.isfinite(value):
            return f"{self.name} must be a finite number"
        if self.minimum is not None:
            if self.exclusive_minimum and value <= self.minimum:
                return f"{self.name} must be greater than {self.minimum:g}"
            if value < self.minimum:
                return f"{self.name} must be at least {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.name} must be at most {self.maximum:g}"
        return None


@runtime_checkable
class Framework(Protocol):
    """What the registry, the uncertainty engine and the CLI need from a framework."""

    @property
    def slug(self) -> str:
        """Stable lowercase identifier, stored in the database and sent in JSON."""
        ...

    @property
    def title(self) -> str:
        """Human name."""
        ...

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        """The inputs ``score`` reads, in display order."""
        ...

    @property
    def log_exponents(self) -> Mapping[str, float] | None:
        """If the score is a product of powers of its inputs, the powers; else ``None``.

        A monomial score of lognormal inputs is lognormal, which the exact method uses.
        """
        ...

    def score(self, values: Values) -> FloatArray:
        """Score arrays of input values (any broadcastable shape), elementwise."""
        ...

    def label(self, values: Values) -> StrArray | None:
        """Optional category per feature (quadrant, Kano category); ``None`` if not applicable."""
        ...


def _f(values: Values, name: str) -> FloatArray:
    return np.asarray(values[name], dtype=np.float64)


@dataclass(frozen=True)
class Rice:
    """RICE: reach x impact x confidence / effort (McBride, Intercom, 2016).

    Examples:
        >>> Rice().score({"reach": np.array([2000.0]), "impact": np.array([2.0]),
        ...               "confidence": np.array([0.8]), "effort": np.array([4.0])}).tolist()
        [800.0]
    """

    slug: str = "rice"
    title: str = "RICE (reach x impact x confidence / effort)"
    inputs: tuple[InputSpec, ...] = (
        InputSpec("reach", "people or events affected per period (e.g. customers per quarter)"),
        InputSpec("impact", "impact per person: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 min"),
        InputSpec(
            "confidence", "confidence in the estimates as a fraction (0.8 = 80 %)", True, 0.0, 1.0
        ),
        InputSpec("effort", "person-months of work", False, 0.0, None, exclusive_minimum=True),
    )
    log_exponents: Mapping[str, float] | None = field(
        default_factory=lambda: {"reach": 1.0, "impact": 1.0, "confidence": 1.0, "effort": -1.0}
    )

    def score(self, values: Values) -> FloatArray:
        """Return reach * impact * confidence / effort."""
        return (_f(values, "reach") * _f(values, "impact") * _f(values, "confidence")) / _f(
            values, "effort"
        )

    def label(self, values: Values) -> StrArray | None:
        """RICE has no categories."""
        return None


_ICE_INPUTS = (
    InputSpec("impact", "how much it moves the goal metric, 1-10", True, 0.0, 10.0),
    InputSpec("confidence", "how sure we are of the impact, 1-10", True, 0.0, 10.0),
    InputSpec("ease", "how easy it is to ship, 1-10 (10 = trivial)", True, 0.0, 10.0),
)


@dataclass(frozen=True)
class Ice:
    """ICE as a product: impact x confidence x ease, each 1-10 (Ellis; Gilad's product form).

    Examples:
        >>> Ice().score({"impact": np.array([8.0]), "confidence": np.array([6.0]),
        ...              "ease": np.array([3.0])}).tolist()
        [144.0]
    """

    slug: str = "ice"
    title: str = "ICE (impact x confidence x ease)"
    inputs: tuple[InputSpec, ...] = _ICE_INPUTS
    log_exponents: Mapping[str, float] | None = field(
        default_factory=lambda: {"impact": 1.0, "confidence": 1.0, "ease": 1.0}
    )

    def score(self, values: Values) -> FloatArray:
        """Return impact * confidence * ease."""
        return _f(values, "impact") * _f(values, "confidence") * _f(values, "ease")

    def label(self, values: Values) -> StrArray | None:
        """ICE has no categories."""
        return None


@dataclass(frozen=True)
class IceMean:
    """ICE as an average: (impact + confidence + ease) / 3 (Ellis & Brown, Hacking Growth).

    Examples:
        >>> IceMean().score({"impact": np.array([8.0]), "confidence": np.array([6.0]),
        ...                  "ease": np.array([4.0])}).tolist()
        [6.0]
    """

    slug: str = "ice_mean"
    title: str = "ICE, averaged ((impact + confidence + ease) / 3)"
    inputs: tuple[InputSpec, ...] = _ICE_INPUTS
    log_exponents: Mapping[str, float] | None = None

    def score(self, values: Values) -> FloatArray:
        """Return (impact + confidence + ease) / 3."""
        return (_f(values, "impact") + _f(values, "confidence") + _f(values, "ease")) / 3.0

    def label(self, values: Values) -> StrArray | None:
        """ICE has no categories."""
        return None


@dataclass(frozen=True)
class Wsjf:
    """SAFe WSJF: cost of delay / job size, cost of delay = value + criticality + RR|OE.

    Examples:
        >>> Wsjf().score({"business_value": np.array([7.0]), "time_criticality": np.array([9.0]),
        ...               "risk_reduction": np.array([5.0]), "job_size": np.array([2.0])}).tolist()
        [10.5]
    """

    slug: str = "wsjf"
    title: str = "WSJF (cost of delay / job size)"
    inputs: tuple[InputSpec, ...] = (
        InputSpec("business_value", "user-business value (relative, e.g. Fibonacci 1-20)"),
        InputSpec("time_criticality", "how fast the value decays with delay (relative)"),
        InputSpec("risk_reduction", "risk reduction and/or opportunity enablement (relative)"),
        InputSpec(
            "job_size", "relative size or duration", False, 0.0, None, exclusive_minimum=True
        ),
    )
    log_exponents: Mapping[str, float] | None = None

    def score(self, values: Values) -> FloatArray:
        """Return (business_value + time_criticality + risk_reduction) / job_size."""
        cost_of_delay = (
            _f(values, "business_value")
            + _f(values, "time_criticality")
            + _f(values, "risk_reduction")
        )
        return cost_of_delay / _f(values, "job_size")

    def label(self, values: Values) -> StrArray | None:
        """WSJF has no categories."""
        return None


QUICK_WIN, BIG_BET, FILL_IN, MONEY_PIT = "quick_win", "big_bet", "fill_in", "money_pit"


@dataclass(frozen=True)
class ValueEffort:
    """Value vs effort 2x2: score value / effort, label the quadrant.

    Examples:
        >>> v = {"value": np.array([8.0, 8.0, 2.0, 2.0]), "effort": np.array([2.0, 8.0, 2.0, 8.0])}
        >>> ValueEffort().label(v).tolist()
        ['quick_win', 'big_bet', 'fill_in', 'money_pit']
    """

    slug: str = "value_effort"
    title: str = "Value vs effort"
    value_threshold: float = 5.0
    effort_threshold: float = 5.0
    inputs: tuple[InputSpec, ...] = (
        InputSpec("value", "value to customers and the business, 1-10"),
        InputSpec("effort", "effort to deliver, 1-10", False, 0.0, None, exclusive_minimum=True),
    )
    log_exponents: Mapping[str, float] | None = field(
        default_factory=lambda: {"value": 1.0, "effort": -1.0}
    )

    def score(self, values: Values) -> FloatArray:
        """Return value / effort."""
        return _f(values, "value") / _f(values, "effort")

    def label(self, values: Values) -> StrArray | None:
        """Quadrant: high value means value >= threshold, high effort effort >= threshold."""
        high_value = _f(values, "value") >= self.value_threshold
        high_effort = _f(values, "effort") >= self.effort_threshold
        return np.where(
            high_value,
            np.where(high_effort, BIG_BET, QUICK_WIN),
            np.where(high_effort, MONEY_PIT, FILL_IN),
        )


_KANO_COLUMNS = tuple(c for c in kano.KanoCategory)


@dataclass(frozen=True)
class KanoFramework:
    """Kano: score is Timko's better coefficient, label the majority category.

    Inputs are the number of respondents per category (from ``kano.tally``); reverse and
    questionable default to 0.

    Examples:
        >>> counts = {"attractive": 4.0, "one_dimensional": 2.0, "must_be": 3.0, "indifferent": 1.0}
        >>> KanoFramework().score({k: np.array([v]) for k, v in counts.items()}).tolist()
        [0.6]
    """

    slug: str = "kano"
    title: str = "Kano (better coefficient, majority category)"
    inputs: tuple[InputSpec, ...] = tuple(
        InputSpec(
            c.value,
            f"respondents classifying it {c.value.replace('_', '-')}",
            c not in (kano.KanoCategory.reverse, kano.KanoCategory.questionable),
            default=0.0
            if c in (kano.KanoCategory.reverse, kano.KanoCategory.questionable)
            else None,
        )
        for c in _KANO_COLUMNS
    )
    log_exponents: Mapping[str, float] | None = None

    def score(self, values: Values) -> FloatArray:
        """Return (A + O) / (A + O + M + I)."""
        return kano.better_coefficient(
            _f(values, "attractive"),
            _f(values, "one_dimensional"),
            _f(values, "must_be"),
            _f(values, "indifferent"),
        )

    def label(self, values: Values) -> StrArray | None:
        """Majority category per feature."""
        counts = {c: _f(values, c.value) for c in _KANO_COLUMNS if c.value in values}
        return kano.majority_category(counts)


@dataclass(frozen=True)
class Opportunity:
    """Opportunity: demand (k ARR) x momentum / effort, from evidence.

    Examples:
        >>> Opportunity().score({"demand": np.array([120.0]), "momentum": np.array([1.5]),
        ...                      "effort": np.array([3.0])}).tolist()
        [60.0]
    """

    slug: str = "opportunity"
    title: str = "Opportunity (demand x momentum / effort, from evidence)"
    inputs: tuple[InputSpec, ...] = (
        InputSpec("demand", "ARR of the requesting customers, in thousands"),
        InputSpec(
            "momentum",
            "request trend factor: (recent + 1) / (earlier + 1) requests, 0.25-4",
            True,
            0.0,
            None,
            exclusive_minimum=True,
        ),
        InputSpec("effort", "person-months of work", False, 0.0, None, exclusive_minimum=True),
    )
    log_exponents: Mapping[str, float] | None = field(
        default_factory=lambda: {"demand": 1.0, "momentum": 1.0, "effort": -1.0}
    )

    def score(self, values: Values) -> FloatArray:
        """Return demand * momentum / effort."""
        return _f(values, "demand") * _f(values, "momentum") / _f(values, "effort")

    def label(self, values: Values) -> StrArray | None:
        """Opportunity has no categories."""
        return None


DEFAULT_FRAMEWORKS: tuple[Framework, ...] = (
    Rice(),
    Ice(),
    IceMean(),
    Wsjf(),
    ValueEffort(),
    KanoFramework(),
    Opportunity(),
)
"""The built-ins, registered by ``default_registry`` like any user-defined framework."""


class FrameworkRegistry:
    """Frameworks keyed by slug. Built-ins and user frameworks go through ``register``."""

    def __init__(self, frameworks: Iterable[Framework] = ()) -> None:
        self._by_slug: dict[str, Framework] = {}
        for framework in frameworks:
            self.register(framework)

    def register(self, framework: Framework, *, replace: bool = False) -> Framework:
        """Add a framework; a taken slug raises ``ConflictError`` unless ``replace``."""
        if not isinstance(framework, Framework):
            raise InvalidInputError.single(
                ("framework",), f"{framework!r} does not implement the Framework protocol"
            )
        slug = framework.slug
        if not slug or slug != slug.lower() or not slug.replace("_", "").isalnum():
            raise InvalidInputError.single(
                ("framework", "slug"), f"slug {slug!r} must be lowercase letters, digits and _"
            )
        if slug in self._by_slug and not replace:
            raise ConflictError(f"a framework with slug {slug!r} is already registered")
        self._by_slug[slug] = framework
        return framework

    def get(self, slug: str) -> Framework:
        """Return the framework for ``slug``; an unknown slug lists the known ones."""
        try:
            return self._by_slug[slug]
        except KeyError:
            known = ", ".join(self._by_slug)
            raise InvalidInputError.single(
                ("framework",), f"unknown framework {slug!r}; known: {known}", "unknown_framework"
            ) from None

    def slugs(self) -> tuple[str, ...]:
        """Registered slugs in registration order."""
        return tuple(self._by_slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __iter__(self) -> Iterator[Framework]:
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)


def default_registry() -> FrameworkRegistry:
    """Return a new registry holding the built-in frameworks.

    Examples:
        >>> default_registry().slugs()
        ('rice', 'ice', 'ice_mean', 'wsjf', 'value_effort', 'kano', 'opportunity')
    """
    return FrameworkRegistry(DEFAULT_FRAMEWORKS)


def competition_ranks(scores: FloatArray) -> npt.NDArray[np.int64]:
    """Rank scores, highest first, ties sharing the best rank ("1224" ranking).

    The rank of a feature is 1 + the number of features scoring strictly higher, so it does not
    depend on the order the features come in.

    Examples:
        >>> competition_ranks(np.array([3.0, 9.0, 3.0, 1.0])).tolist()
        [2, 1, 2, 4]
    """
    ordered = np.sort(scores)
    higher = scores.size - np.searchsorted(ordered, scores, side="right")
    return (higher + 1).astype(np.int64)
