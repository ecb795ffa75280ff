"""Scores as distributions: estimates with ranges, Monte Carlo and exact scoring, ranking.

Uncertainty model. An estimate is a point or a range ``low..high`` stated at a confidence ``c``
(default 0.9, the calibrated 90 % interval of Hubbard, "How to Measure Anything", 2014). The
range is read as the *central* ``c`` interval of a distribution:

* ``low > 0``: **lognormal**, ln X ~ N(mu, sigma) with mu = (ln low + ln high) / 2 and
  sigma = (ln high - ln low) / (2 z), z = Phi^-1((1 + c) / 2). Positive quantities (reach,
  effort) are right-skewed and multiply in most frameworks, and a product of independent
  lognormals is lognormal, which gives the exact method below.
* ``low <= 0``: **normal** with mean (low + high) / 2 and sd (high - low) / (2 z).
* a point (``low == high``) is that value in every draw, so a point range equals the point score.

Draws are clipped to the input's allowed range (for example RICE confidence to [0, 1]); the
clipped mass piles up at the bound rather than being re-drawn, which keeps the draws vectorised.
Inputs are assumed independent of each other and across features.

Monte Carlo: for every input a (features x draws) matrix is drawn with a seeded
``numpy.random.Generator`` and the framework's vectorised ``score`` is applied to the matrices.
Work runs in chunks of features so memory stays bounded (``chunk_elements``); each chunk has its
own stream seeded by (seed, chunk index), and features are put in a canonical order (by name
and estimates) before the chunks are cut, so results do not depend on the input order.

Exact method: for a framework whose score is a product of powers of its inputs
(``log_exponents``: RICE, ICE, value/effort) and inputs that are lognormal or points, ln score
is normal with mean sum(e_k mu_k) and variance sum(e_k^2 sigma_k^2), so the median and interval
come from closed form. It ignores the clipping above (it differs from Monte Carlo only when a
range reaches past a bound). The top-N probabilities still need draws; in this method each draw
is one normal per feature from the exact score distribution instead of one per input.

Top-N probability: per draw, the N best scores are the top N; ties at the N-th score share the
remaining places equally, so the probabilities always sum to N. Two passes over the chunks find
the N-th score per draw and then count memberships; when the score matrices do not fit in
``CACHE_ELEMENTS`` the second pass regenerates the same draws, skipping every chunk whose best
draw is below the lowest per-draw threshold (it cannot contribute), which is most of them.

Rank sensitivity ("tornado"): every other feature is held at its median; each input of the
feature is set to its low and then its high while its other inputs stay at their medians; the
input whose swing moves the feature's rank the most is its driver (ties: the larger score
swing, then input order). A feature's median score here is the score at the input medians.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from producthq.errors import InvalidInputError, ProblemCollector
from producthq.prioritization.scoring import (
    FloatArray,
    Framework,
    InputSpec,
    competition_ranks,
)

Method = Literal["monte_carlo", "exact"]
DEFAULT_CONFIDENCE = 0.9
DEFAULT_CHUNK_ELEMENTS = 1 << 24
"""About 16.8 million float64 values (134 MB) in flight per chunk, all arrays together."""
CACHE_ELEMENTS = 1 << 24
"""Score matrices up to this size are kept between the two top-N passes, not redrawn."""

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"
_ESTIMATE_RE = re.compile(
    rf"^\s*(?P<low>{_NUMBER})\s*(?:\.\.\s*(?P<high>{_NUMBER})\s*)?(?:@\s*(?P<conf>{_NUMBER})\s*)?$"
)


def _z(confidence: float) -> float:
    return float(special.ndtri(0.5 + confidence / 2.0))


@dataclass(frozen=True)
class Estimate:
    """A point (``low == high``) or a range ``low..high`` holding the central ``confidence``.

    Examples:
        >>> Estimate.between(100, 400).median
        200.0
        >>> Estimate.point(3).is_point
        True
    """

    low: float
    high: float
    confidence: float = DEFAULT_CONFIDENCE

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise InvalidInputError.single(("estimate",), "estimate must be finite numbers")
        if self.low > self.high:
            raise InvalidInputError.single(
                ("estimate",), f"range low {self.low:g} is above high {self.high:g}"
            )
        if not 0.0 < self.confidence < 1.0:
            raise InvalidInputError.single(
                ("estimate", "confidence"),
                f"range confidence {self.confidence:g} must be between 0 and 1 (exclusive)",
            )

    @classmethod
    def point(cls, value: float) -> Estimate:
        """An exact value."""
        return cls(float(value), float(value))

    @classmethod
    def between(cls, low: float, high: float, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
        """A range whose central ``confidence`` interval is ``low..high``."""
        return cls(float(low), float(high), float(confidence))

    @property
    def is_point(self) -> bool:
        """True when the estimate is a single value."""
        return self.low == self.high

    @property
    def kind(self) -> Literal["point", "lognormal", "normal"]:
        """The distribution the estimate stands for."""
        if self.is_point:
            return "point"
        return "lognormal" if self.low > 0 else "normal"

    @property
    def loc(self) -> float:
        """mu of ln X for a lognormal, else the mean (the value itself for a point)."""
        if self.kind == "lognormal":
            return (math.log(self.low) + math.log(self.high)) / 2.0
        return (self.low + self.high) / 2.0

    @property
    def scale(self) -> float:
        """sigma of ln X for a lognormal, else the standard deviation (0 for a point)."""
        if self.is_point:
            return 0.0
        if self.kind == "lognormal":
            return (math.log(self.high) - math.log(self.low)) / (2.0 * _z(self.confidence))
        return (self.high - self.low) / (2.0 * _z(self.confidence))

    @property
    def median(self) -> float:
        """The median: the geometric mean for a lognormal, the midpoint otherwise."""
        if self.kind == "lognormal":
            return math.sqrt(self.low) * math.sqrt(self.high)  # exp(mu), without rounding drift
        return self.loc

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (before any clipping to an input's bounds).

        Examples:
            >>> round(Estimate.between(10, 1000, 0.9).quantile(0.95), 6)
            1000.0
        """
        z = float(special.ndtri(q))
        value = self.loc + self.scale * z
        return math.exp(value) if self.kind == "lognormal" else value

    def __str__(self) -> str:
        if self.is_point:
            return f"{self.low:g}"
        return f"{self.low:g}..{self.high:g}@{self.confidence:g}"


def _number(text: str) -> float:
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    return float(text)


def parse_estimate(text: str, *, confidence: float = DEFAULT_CONFIDENCE) -> Estimate:
    """Read ``"500"``, ``"80%"``, ``"200..800"`` or ``"200..800@0.8"`` (also ``"@80%"``).

    A range without ``@`` gets ``confidence``.

    Raises:
        InvalidInputError: the text is not an estimate, or low > high; ``loc`` is ``("estimate",)``.

    Examples:
        >>> parse_estimate("200..800@80%")
        Estimate(low=200.0, high=800.0, confidence=0.8)
        >>> parse_estimate("50%").low
        0.5
    """
    match = _ESTIMATE_RE.match(text)
    if match is None:
        raise InvalidInputError.single(
            ("estimate",),
            f"{text!r} is not a number or a range like 200..800 or 200..800@0.9",
            "invalid_estimate",
        )
    low = _number(match["low"])
    high = _number(match["high"]) if match["high"] else low
    conf = _number(match["conf"]) if match["conf"] else confidence
    if match["conf"] and match["high"] is None:
        raise InvalidInputError.single(
            ("estimate",), f"{text!r}: a confidence (@) needs a range low..high", "invalid_estimate"
        )
    return Estimate(low, high, conf) if high != low else Estimate(low, high, confidence)


@dataclass(frozen=True)
class Feature:
    """A thing to prioritise: a name and one estimate per framework input."""

    name: str
    estimates: Mapping[str, Estimate]

    def sort_key(self) -> tuple[str, tuple[tuple[str, float, float, float], ...]]:
        """A canonical key so results do not depend on the order features come in."""
        return (
            self.name,
            tuple((k, e.low, e.high, e.confidence) for k, e in sorted(self.estimates.items())),
        )


@dataclass(frozen=True)
class ScoredFeature:
    """One feature's line in the ranking view."""

    name: str
    rank: int
    """Competition rank of the median score (1 = best; ties share the rank)."""
    median: float
    low: float
    high: float
    """``low``/``high``: the central ``interval`` of the score distribution."""
    p_top: float
    """Probability that the feature is among the top N."""
    driver: str | None
    """The input whose low-to-high swing moves the rank most; ``None`` if all are points."""
    rank_swing: int
    """How many places the driver moves the feature between its low and its high."""
    label: str | None = None
    """The framework's category at the medians (quadrant, Kano category), if any."""


@dataclass(frozen=True)
class Ranking:
    """The result of ``simulate``: features ordered by rank, then name."""

    framework: str
    method: Method
    draws: int
    interval: float
    top: int
    features: tuple[ScoredFeature, ...]

    def names(self) -> tuple[str, ...]:
        """Feature names in rank order."""
        return tuple(f.name for f in self.features)


@dataclass(frozen=True)
class _Column:
    """One input across all features, in canonical order."""

    spec: InputSpec
    loc: FloatArray
    scale: FloatArray
    log: npt.NDArray[np.bool_]
    low: FloatArray
    high: FloatArray
    median: FloatArray

    def take(self, index: npt.NDArray[np.intp]) -> _Column:
        """The same column with features reordered."""
        return _Column(
            self.spec,
            self.loc[index],
            self.scale[index],
            self.log[index],
            self.low[index],
            self.high[index],
            self.median[index],
        )

    def draw(self, rows: slice, draws: int, rng: np.random.Generator) -> FloatArray:
        loc = self.loc[rows, None]
        scale = self.scale[rows]
        if not scale.any():
            # All points: no randomness needed, and the exact value is kept.
            return np.broadcast_to(loc, (loc.shape[0], draws))
        x = rng.standard_normal((loc.shape[0], draws))
        x *= scale[:, None]
        x += loc
        np.exp(x, out=x, where=self.log[rows, None])
        lo = -np.inf if self.spec.minimum is None else self.spec.minimum
        hi = np.inf if self.spec.maximum is None else self.spec.maximum
        np.clip(x, lo, hi, out=x)
        return x


def _estimate_for(
    feature: Feature, spec: InputSpec, index: int, problems: ProblemCollector
) -> Estimate | None:
    est = feature.estimates.get(spec.name)
    if est is None:
        if spec.default is not None:
            return Estimate.point(spec.default)
        problems.add(("features", index, spec.name), f"missing input {spec.name}", "missing")
        return None
    for bound in (est.low, est.high):
        reason = spec.problem(bound)
        if reason is not None:
            problems.add(("features", index, spec.name), reason, "out_of_range")
            return None
    return est


def _columns(framework: Framework, features: Sequence[Feature]) -> dict[str, _Column]:
    problems = ProblemCollector()
    grid: dict[str, list[Estimate]] = {s.name: [] for s in framework.inputs}
    for i, feature in enumerate(features):
        for spec in framework.inputs:
            est = _estimate_for(feature, spec, i, problems)
            grid[spec.name].append(est if est is not None else Estimate.point(0.0))
    problems.raise_if_any(f"cannot score with {framework.slug}")
    out: dict[str, _Column] = {}
    for spec in framework.inputs:
        ests = grid[spec.name]
        low = np.array([e.low for e in ests], dtype=np.float64)
        high = np.array([e.high for e in ests], dtype=np.float64)
        conf = np.array([e.confidence for e in ests], dtype=np.float64)
        out[spec.name] = _column(spec, low, high, conf)
    return out


def _column(spec: InputSpec, low: FloatArray, high: FloatArray, conf: FloatArray) -> _Column:
    """Vectorised ``Estimate.loc``/``scale``/``median`` for one input across features."""
    point = low == high
    log = (low > 0) & ~point
    z = special.ndtri(0.5 + conf / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_low, log_high = np.log(np.where(log, low, 1.0)), np.log(np.where(log, high, 1.0))
    loc = np.where(log, (log_low + log_high) / 2.0, (low + high) / 2.0)
    loc = np.where(point, low, loc)
    scale = np.where(log, (log_high - log_low) / (2.0 * z), (high - low) / (2.0 * z))
    scale = np.where(point, 0.0, scale)
    median = np.where(
        log, np.sqrt(np.where(log, low, 0.0)) * np.sqrt(np.where(log, high, 0.0)), loc
    )
    return _Column(spec, loc, scale, log, low, high, median)


def _check_finite(
    scores: FloatArray,
    offset: int,
    names: Sequence[str],
    slug: str,
    original: Sequence[int] | None = None,
) -> None:
    """Raise naming the first feature with a non-finite score (``original`` maps row indices)."""
    bad = ~np.isfinite(scores)
    if bad.any():
        row = int(np.argwhere(bad)[0][0]) + offset
        where = row if original is None else original[row]
        raise InvalidInputError.single(
            ("features", where),
            f"{slug} gives a non-finite score for {names[row]!r}; check its inputs",
            "not_finite",
        )


def _broadcast_scores(framework: Framework, values: Mapping[str, FloatArray], n: int) -> FloatArray:
    scores = np.asarray(framework.score(values), dtype=np.float64)
    return np.broadcast_to(scores, (n,)).copy()


def point_scores(framework: Framework, features: Sequence[Feature]) -> FloatArray:
    """Score every feature at the medians of its inputs (the point score for point inputs).

    Examples:
        >>> from producthq.prioritization.scoring import Rice
        >>> f = Feature("a", {"reach": Estimate.point(500), "impact": Estimate.point(2),
        ...     "confidence": Estimate.point(0.8), "effort": Estimate.point(2)})
        >>> point_scores(Rice(), [f]).tolist()
        [400.0]
    """
    cols = _columns(framework, features)
    scores = _broadcast_scores(framework, {k: c.median for k, c in cols.items()}, len(features))
    _check_finite(scores, 0, [f.name for f in features], framework.slug)
    return scores


def _rank_against(medians: FloatArray, own: FloatArray, moved: FloatArray) -> npt.NDArray[np.int64]:
    """Rank of each feature if only its own score changed from ``own`` to ``moved``."""
    ordered = np.sort(medians)
    higher = medians.size - np.searchsorted(ordered, moved, side="right")
    higher -= (own > moved).astype(np.int64)  # do not count the feature against itself
    return (higher + 1).astype(np.int64)


@dataclass(frozen=True)
class TornadoBar:
    """One input's swing for one feature: its rank and score at the input's low and high."""

    input: str
    rank_at_low: int
    rank_at_high: int
    score_at_low: float
    score_at_high: float

    @property
    def rank_swing(self) -> int:
        """Places moved between low and high."""
        return abs(self.rank_at_low - self.rank_at_high)


def _swings(
    framework: Framework, cols: Mapping[str, _Column], medians: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, FloatArray]:
    """(inputs x features) ranks and scores at each input's low and high."""
    base = {k: c.median for k, c in cols.items()}
    k = len(framework.inputs)
    n = medians.size
    r_lo = np.empty((k, n), dtype=np.int64)
    r_hi = np.empty((k, n), dtype=np.int64)
    s_lo = np.empty((k, n))
    s_hi = np.empty((k, n))
    for j, spec in enumerate(framework.inputs):
        col = cols[spec.name]
        s_lo[j] = np.broadcast_to(framework.score({**base, spec.name: col.low}), (n,))
        s_hi[j] = np.broadcast_to(framework.score({**base, spec.name: col.high}), (n,))
        r_lo[j] = _rank_against(medians, medians, s_lo[j])
        r_hi[j] = _rank_against(medians, medians, s_hi[j])
    return r_lo, r_hi, s_lo, s_hi


def tornado(framework: Framework, features: Sequence[Feature], name: str) -> tuple[TornadoBar, ...]:
    """Rank swings of one feature's inputs, largest first (the tornado chart's bars).

    Raises:
        InvalidInputError: no feature is called ``name``.
    """
    index = next((i for i, f in enumerate(features) if f.name == name), None)
    if index is None:
        raise InvalidInputError.single(("name",), f"no feature named {name!r}", "not_found")
    cols = _columns(framework, features)
    medians = point_scores(framework, features)
    r_lo, r_hi, s_lo, s_hi = _swings(framework, cols, medians)
    bars = [
        TornadoBar(
            s.name,
            int(r_lo[j, index]),
            int(r_hi[j, index]),
            float(s_lo[j, index]),
            float(s_hi[j, index]),
        )
        for j, s in enumerate(framework.inputs)
    ]
    return tuple(
        sorted(bars, key=lambda b: (-b.rank_swing, -abs(b.score_at_high - b.score_at_low)))
    )


def _drivers(
    framework: Framework, cols: Mapping[str, _Column], medians: FloatArray
) -> tuple[list[str | None], npt.NDArray[np.int64]]:
    r_lo, r_hi, s_lo, s_hi = _swings(framework, cols, medians)
    rank_swing = np.abs(r_lo - r_hi)
    score_swing = np.abs(s_hi - s_lo)
    # Largest rank swing first; among equal rank swings the larger score swing; argmax then
    # keeps the earliest input among exact ties.
    contenders = rank_swing == rank_swing.max(axis=0)
    best = np.argmax(np.where(contenders, score_swing, -1.0), axis=0)
    idx = np.arange(medians.size)
    names = [s.name for s in framework.inputs]
    drivers: list[str | None] = [
        names[b] if score_swing[b, i] > 0 else None for i, b in enumerate(best.tolist())
    ]
    return drivers, rank_swing[best, idx]


def _chunks(n: int, rows: int) -> Iterator[tuple[int, slice]]:
    for index, start in enumerate(range(0, n, rows)):
        yield index, slice(start, min(start + rows, n))


ChunkScorer = Callable[[int, slice], FloatArray]


def _top_probabilities(
    score_chunk: ChunkScorer, n: int, rows: int, draws: int, top: int
) -> FloatArray:
    """P(feature in top N) from per-chunk score matrices, in two passes when chunked."""
    if top >= n:
        for index, rows_slice in _chunks(n, rows):
            score_chunk(index, rows_slice)  # a scorer may fill summaries as it goes
        return np.ones(n)
    best = np.full((top, draws), -np.inf)
    keep = n * draws <= CACHE_ELEMENTS
    cached: dict[int, FloatArray] = {}
    chunk_max: dict[int, float] = {}
    for index, rows_slice in _chunks(n, rows):
        scores = score_chunk(index, rows_slice)
        cand = np.concatenate([best, scores], axis=0)
        best = -np.partition(-cand, top - 1, axis=0)[:top]
        chunk_max[index] = float(scores.max())
        if keep:
            cached[index] = scores
    threshold = best.min(axis=0)
    lowest_threshold = float(threshold.min())
    above_sum = np.zeros(n)
    above_total = np.zeros(draws)
    eq_total = np.zeros(draws)
    eq_rows: list[npt.NDArray[np.intp]] = []
    eq_draws: list[npt.NDArray[np.intp]] = []
    for index, rows_slice in _chunks(n, rows):
        if chunk_max[index] < lowest_threshold:
            continue  # no draw of this chunk reaches the top N: nothing to count or redraw
        scores = cached[index] if keep else score_chunk(index, rows_slice)
        above = scores > threshold
        above_sum[rows_slice] = above.sum(axis=1)
        above_total += above.sum(axis=0)
        eq = scores == threshold
        eq_total += eq.sum(axis=0)
        r, d = np.nonzero(eq)
        eq_rows.append(r + rows_slice.start)
        eq_draws.append(d)
    # Features tied at the N-th score share the places left after those strictly above it.
    share = (top - above_total) / np.where(eq_total > 0, eq_total, 1.0)
    rows_all = np.concatenate(eq_rows) if eq_rows else np.zeros(0, dtype=np.intp)
    draws_all = np.concatenate(eq_draws) if eq_draws else np.zeros(0, dtype=np.intp)
    tied = np.bincount(rows_all, weights=share[draws_all], minlength=n)
    return np.asarray((above_sum + tied) / draws, dtype=np.float64)


def _rows_per_chunk(draws: int, n_inputs: int, chunk_elements: int) -> int:
    return max(1, chunk_elements // (draws * (n_inputs + 3)))


def _validate_args(draws: int, interval: float, top: int, n: int) -> None:
    problems = ProblemCollector()
    if draws < 1:
        problems.add(("draws",), "draws must be at least 1")
    if not 0.0 < interval < 1.0:
        problems.add(("interval",), "interval must be between 0 and 1 (exclusive)")
    if top < 1:
        problems.add(("top",), "top must be at least 1")
    if n == 0:
        problems.add(("features",), "there are no features to rank", "empty")
    problems.raise_if_any("cannot rank")


def _exact_parameters(
    framework: Framework, cols: Mapping[str, _Column]
) -> tuple[FloatArray, FloatArray]:
    exps = framework.log_exponents
    if exps is None:
        raise InvalidInputError.single(
            ("method",),
            f"the exact method needs a product-of-powers score; {framework.slug} is not one",
            "exact_not_available",
        )
    n = next(iter(cols.values())).loc.size
    mu = np.zeros(n)
    var = np.zeros(n)
    for name, power in exps.items():
        col = cols[name]
        if (~col.log & (col.scale > 0)).any():
            raise InvalidInputError.single(
                ("method",),
                f"the exact method needs ranges above 0 (lognormal); {name} has one at or below 0",
                "exact_not_available",
            )
        if (col.loc[col.scale == 0] < 0).any():
            raise InvalidInputError.single(
                ("method",),
                f"the exact method needs {name} to be at least 0",
                "exact_not_available",
            )
        with np.errstate(divide="ignore"):  # a point at 0 gives ln 0 = -inf, a score of 0
            log_loc = np.where(col.log, col.loc, np.log(np.where(col.log, 1.0, col.loc)))
        mu += power * log_loc
        var += (power * col.scale) ** 2
    return mu, np.sqrt(var)


def simulate(
    framework: Framework,
    features: Sequence[Feature],
    *,
    draws: int = 2000,
    seed: int = 0,
    interval: float = 0.9,
    top: int = 10,
    method: Method = "monte_carlo",
    chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
) -> Ranking:
    """Score features as distributions and rank them by median score.

    Returns every feature with its median score, the central ``interval`` of its score, the
    probability of being in the top ``top``, the input that most moves its rank, and its label.

    Raises:
        InvalidInputError: an input is missing or out of range (``loc`` names the feature index
            and input), arguments are out of range, or the exact method does not apply.

    Examples:
        >>> from producthq.prioritization.scoring import Rice
        >>> fs = [Feature(n, {"reach": Estimate.point(r), "impact": Estimate.point(1),
        ...        "confidence": Estimate.point(1), "effort": Estimate.point(1)})
        ...       for n, r in [("a", 10), ("b", 30), ("c", 20)]]
        >>> [(f.name, f.rank, f.p_top) for f in simulate(Rice(), fs, top=1).features]
        [('b', 1, 1.0), ('c', 2, 0.0), ('a', 3, 0.0)]
    """
    n = len(features)
    _validate_args(draws, interval, top, n)
    cols0 = _columns(framework, features)  # problems carry the caller's feature indices
    all_names = [f.name for f in features]
    medians0 = _broadcast_scores(framework, {k: c.median for k, c in cols0.items()}, n)
    _check_finite(medians0, 0, all_names, framework.slug)
    # Canonical order: best median first, then by content. It depends only on the features,
    # never on the order they came in, and it puts the contenders for the top N in the first
    # chunks, so the second top-N pass can skip the rest.
    order = sorted(range(n), key=lambda i: (-medians0[i], features[i].sort_key()))
    index = np.array(order, dtype=np.intp)
    cols = {k: c.take(index) for k, c in cols0.items()}
    names = [all_names[i] for i in order]
    medians = medians0[index]
    alpha = (1.0 - interval) / 2.0
    quantiles = np.array([alpha, 0.5, 1.0 - alpha])
    rows = _rows_per_chunk(draws, len(framework.inputs), chunk_elements)
    summary = np.empty((3, n))

    if method == "exact":
        mu, sigma = _exact_parameters(framework, cols)
        z = special.ndtri(quantiles)
        with np.errstate(divide="ignore"):
            summary = np.exp(mu[None, :] + sigma[None, :] * z[:, None])

        def score_chunk(index: int, part: slice) -> FloatArray:
            rng = np.random.default_rng([seed, index])
            x = rng.standard_normal((part.stop - part.start, draws))
            x *= sigma[part, None]
            x += mu[part, None]
            with np.errstate(divide="ignore"):
                return np.exp(x, out=x)

        exact_rows = _rows_per_chunk(draws, 0, chunk_elements)
        # With top >= n every feature is in the top N: no draws are needed at all.
        p_top = (
            np.ones(n) if top >= n else _top_probabilities(score_chunk, n, exact_rows, draws, top)
        )
    elif not any(c.scale.any() for c in cols.values()):
        summary[:] = medians
        p_top = _top_probabilities(lambda _i, part: medians[part, None], n, n, 1, top)
    else:

        def score_chunk(index: int, part: slice) -> FloatArray:
            rng = np.random.default_rng([seed, index])
            values = {s.name: cols[s.name].draw(part, draws, rng) for s in framework.inputs}
            scores = np.broadcast_to(framework.score(values), (part.stop - part.start, draws))
            _check_finite(scores, part.start, names, framework.slug, order)
            return np.asarray(scores, dtype=np.float64)

        def summarise_then_score(index: int, part: slice) -> FloatArray:
            scores = score_chunk(index, part)
            summary[:, part] = np.quantile(scores, quantiles, axis=1)
            return scores

        # The first pass of the top-N count also fills the summary, chunk by chunk.
        p_top = _top_probabilities(
            _first_pass_then(summarise_then_score, score_chunk), n, rows, draws, top
        )

    drivers, swings = _drivers(framework, cols, medians)
    labels = framework.label({k: c.median for k, c in cols.items()})
    centre = summary[1]
    ranks = competition_ranks(centre)
    scored = [
        ScoredFeature(
            name=names[i],
            rank=int(ranks[i]),
            median=float(centre[i]),
            low=float(summary[0, i]),
            high=float(summary[2, i]),
            p_top=float(p_top[i]),
            driver=drivers[i],
            rank_swing=int(swings[i]),
            label=None if labels is None else (str(labels[i]) or None),
        )
        for i in range(n)
    ]
    scored.sort(key=lambda f: (f.rank, f.name))
    return Ranking(framework.slug, method, draws, interval, top, tuple(scored))


def _first_pass_then(first: ChunkScorer, later: ChunkScorer) -> ChunkScorer:
    """Use ``first`` for each chunk the first time it is asked for, ``later`` afterwards."""
    seen: set[int] = set()

    def scorer(index: int, part: slice) -> FloatArray:
        if index in seen:
            return later(index, part)
        seen.add(index)
        return first(index, part)

    return scorer


@dataclass(frozen=True)
class RankMove:
    """How one feature's rank changes between two versions of a framework (a what-if)."""

    name: str
    rank_before: int
    rank_after: int
    score_before: float
    score_after: float

    @property
    def places_up(self) -> int:
        """Positive when the feature moves up the ranking."""
        return self.rank_before - self.rank_after


def what_if(
    features: Sequence[Feature], before: Framework, after: Framework
) -> tuple[RankMove, ...]:
    """Re-rank at the input medians with a changed framework (for example new weights).

    Returns one move per feature, ordered by the new rank, then name.

    Examples:
        >>> from producthq.prioritization.scoring import IceMean, Ice
        >>> fs = [Feature("a", {"impact": Estimate.point(9), "confidence": Estimate.point(2),
        ...                     "ease": Estimate.point(9)}),
        ...       Feature("b", {"impact": Estimate.point(6), "confidence": Estimate.point(6),
        ...                     "ease": Estimate.point(6)})]
        >>> [(m.name, m.rank_before, m.rank_after) for m in what_if(fs, IceMean(), Ice())]
        [('b', 2, 1), ('a', 1, 2)]
    """
    s0 = point_scores(before, features)
    s1 = point_scores(after, features)
    r0, r1 = competition_ranks(s0), competition_ranks(s1)
    moves = [
        RankMove(f.name, int(r0[i]), int(r1[i]), float(s0[i]), float(s1[i]))
        for i, f in enumerate(features)
    ]
    return tuple(sorted(moves, key=lambda m: (m.rank_after, m.name)))
