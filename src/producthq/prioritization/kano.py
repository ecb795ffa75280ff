"""Kano analysis: classify paired survey answers and compute better/worse coefficients.

Method. Each respondent answers a *functional* question ("how do you feel if the product has
this feature?") and a *dysfunctional* one ("... if it does not?") with one of five answers: like,
expect (must-be), neutral, tolerate (live with) and dislike. The pair is looked up in the Kano
evaluation table (Berger et al., 1993, "Kano's methods for understanding customer-defined
quality", *Center for Quality Management Journal* 2(4), table 1) and gives one category:

================  ======  ======  =======  ========  =======
functional \\ dys  like    expect  neutral  tolerate  dislike
================  ======  ======  =======  ========  =======
like              Q       A       A        A         O
expect            R       I       I        I         M
neutral           R       I       I        I         M
tolerate          R       I       I        I         M
dislike           R       R       R        R         Q
================  ======  ======  =======  ========  =======

A attractive, O one-dimensional (performance), M must-be, I indifferent, R reverse,
Q questionable (contradictory answers).

A feature's category is the most frequent one among its respondents. Ties are broken in the
order M > O > A > I > R > Q, the rule "when in doubt, choose the category with the greater
influence on the product" of Matzler & Hinterhuber (1998), *Technovation* 18(1), p. 32.

Timko's customer satisfaction coefficients (in Berger et al., 1993) use only A, O, M and I:

* better = (A + O) / (A + O + M + I), in [0, 1]: how much satisfaction rises if it is present;
* worse = -(O + M) / (A + O + M + I), in [-1, 0]: how much it falls if it is absent.

Assumptions: respondents are independent and equally weighted; R and Q answers are left out of
the coefficients, as Timko does. With no A/O/M/I answer the coefficients are undefined: the
tally reports ``None`` and the vectorised functions return 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from producthq.errors import ProblemCollector

FloatArray = npt.NDArray[np.float64]


class KanoAnswer(StrEnum):
    """One of the five answers to a functional or dysfunctional Kano question."""

    like = "like"
    expect = "expect"
    """"I expect it" / "it must be that way"."""
    neutral = "neutral"
    tolerate = "tolerate"
    """"I can live with it"."""
    dislike = "dislike"


class KanoCategory(StrEnum):
    """The category a pair of answers (or a feature, by majority) falls into."""

    attractive = "attractive"
    one_dimensional = "one_dimensional"
    """Performance: satisfaction rises with fulfilment and falls without it."""
    must_be = "must_be"
    indifferent = "indifferent"
    reverse = "reverse"
    """The respondent prefers the product without the feature."""
    questionable = "questionable"
    """The answers contradict each other (like both having and not having it)."""


_ALIASES: dict[str, KanoAnswer] = {
    "like": KanoAnswer.like,
    "i like it": KanoAnswer.like,
    "1": KanoAnswer.like,
    "expect": KanoAnswer.expect,
    "i expect it": KanoAnswer.expect,
    "must-be": KanoAnswer.expect,
    "must be": KanoAnswer.expect,
    "2": KanoAnswer.expect,
    "neutral": KanoAnswer.neutral,
    "i am neutral": KanoAnswer.neutral,
    "3": KanoAnswer.neutral,
    "tolerate": KanoAnswer.tolerate,
    "live with": KanoAnswer.tolerate,
    "i can live with it": KanoAnswer.tolerate,
    "i can tolerate it": KanoAnswer.tolerate,
    "4": KanoAnswer.tolerate,
    "dislike": KanoAnswer.dislike,
    "i dislike it": KanoAnswer.dislike,
    "5": KanoAnswer.dislike,
}

_A, _O, _M, _I, _R, _Q = (
    KanoCategory.attractive,
    KanoCategory.one_dimensional,
    KanoCategory.must_be,
    KanoCategory.indifferent,
    KanoCategory.reverse,
    KanoCategory.questionable,
)
_ORDER = tuple(KanoAnswer)
_ROWS: tuple[tuple[KanoCategory, ...], ...] = (
    (_Q, _A, _A, _A, _O),  # functional: like
    (_R, _I, _I, _I, _M),  # functional: expect
    (_R, _I, _I, _I, _M),  # functional: neutral
    (_R, _I, _I, _I, _M),  # functional: tolerate
    (_R, _R, _R, _R, _Q),  # functional: dislike
)
EVALUATION_TABLE: dict[tuple[KanoAnswer, KanoAnswer], KanoCategory] = {
    (f, d): _ROWS[i][j] for i, f in enumerate(_ORDER) for j, d in enumerate(_ORDER)
}
"""The Berger et al. (1993) table: (functional, dysfunctional) -> category."""

TIE_BREAK: tuple[KanoCategory, ...] = (_M, _O, _A, _I, _R, _Q)
"""Majority ties go to the earliest category here (Matzler & Hinterhuber, 1998)."""


def parse_answer(text: str | KanoAnswer) -> KanoAnswer:
    """Read an answer, accepting the usual survey wordings and the codes 1-5.

    Raises:
        ValueError: the text is not a Kano answer; the message lists the accepted ones.

    Examples:
        >>> parse_answer("I can live with it")
        <KanoAnswer.tolerate: 'tolerate'>
    """
    if isinstance(text, KanoAnswer):
        return text
    key = " ".join(text.strip().lower().split())
    try:
        return _ALIASES[key]
    except KeyError:
        known = ", ".join(a.value for a in KanoAnswer)
        raise ValueError(f"{text!r} is not a Kano answer; use one of {known} or 1-5") from None


def classify(functional: str | KanoAnswer, dysfunctional: str | KanoAnswer) -> KanoCategory:
    """Classify one respondent's pair of answers with the evaluation table.

    Examples:
        >>> classify("like", "dislike")
        <KanoCategory.one_dimensional: 'one_dimensional'>
        >>> classify("expect", "dislike")
        <KanoCategory.must_be: 'must_be'>
    """
    return EVALUATION_TABLE[(parse_answer(functional), parse_answer(dysfunctional))]


@dataclass(frozen=True)
class KanoTally:
    """How many respondents put a feature in each category."""

    attractive: int = 0
    one_dimensional: int = 0
    must_be: int = 0
    indifferent: int = 0
    reverse: int = 0
    questionable: int = 0

    def count(self, category: KanoCategory) -> int:
        """Return the number of answers in ``category``."""
        return int(getattr(self, category.value))

    @property
    def total(self) -> int:
        """All answers, including reverse and questionable ones."""
        return sum(self.count(c) for c in KanoCategory)

    @property
    def category(self) -> KanoCategory | None:
        """The majority category (ties broken M > O > A > I > R > Q); ``None`` if empty.

        Examples:
            >>> KanoTally(attractive=3, must_be=3, indifferent=1).category
            <KanoCategory.must_be: 'must_be'>
        """
        if self.total == 0:
            return None
        return max(TIE_BREAK, key=lambda c: (self.count(c), -TIE_BREAK.index(c)))

    @property
    def better(self) -> float | None:
        """Timko's better coefficient (A+O)/(A+O+M+I); ``None`` without A/O/M/I answers.

        Examples:
            >>> KanoTally(attractive=4, one_dimensional=2, must_be=3, indifferent=1).better
            0.6
        """
        base = self.attractive + self.one_dimensional + self.must_be + self.indifferent
        return None if base == 0 else (self.attractive + self.one_dimensional) / base

    @property
    def worse(self) -> float | None:
        """Timko's worse coefficient -(O+M)/(A+O+M+I); ``None`` without A/O/M/I answers.

        Examples:
            >>> KanoTally(attractive=4, one_dimensional=2, must_be=3, indifferent=1).worse
            -0.5
        """
        base = self.attractive + self.one_dimensional + self.must_be + self.indifferent
        return None if base == 0 else -(self.one_dimensional + self.must_be) / base


def tally(
    pairs: Iterable[tuple[str | KanoAnswer, str | KanoAnswer]],
) -> KanoTally:
    """Classify every respondent's (functional, dysfunctional) pair and count the categories.

    Raises:
        InvalidInputError: an answer is not a Kano answer; ``loc`` is
            ``("answers", index, "functional" | "dysfunctional")``, every bad answer listed.

    Examples:
        >>> tally([("like", "dislike"), ("like", "dislike"), ("expect", "dislike")]).category
        <KanoCategory.one_dimensional: 'one_dimensional'>
    """
    problems = ProblemCollector()
    counts: Counter[KanoCategory] = Counter()
    for i, (functional, dysfunctional) in enumerate(pairs):
        answers: list[KanoAnswer] = []
        for field_name, raw in (("functional", functional), ("dysfunctional", dysfunctional)):
            try:
                answers.append(parse_answer(raw))
            except ValueError as exc:
                problems.add(("answers", i, field_name), str(exc), "invalid_answer")
        if len(answers) == 2:
            counts[EVALUATION_TABLE[(answers[0], answers[1])]] += 1
    problems.raise_if_any("bad Kano answers")
    return KanoTally(**{c.value: counts[c] for c in KanoCategory})


def better_coefficient(
    attractive: FloatArray,
    one_dimensional: FloatArray,
    must_be: FloatArray,
    indifferent: FloatArray,
) -> FloatArray:
    """Vectorised better coefficient; 0 where there is no A/O/M/I answer.

    Examples:
        >>> better_coefficient(np.array([4.0, 0.0]), np.array([2.0, 0.0]),
        ...                    np.array([3.0, 0.0]), np.array([1.0, 0.0])).tolist()
        [0.6, 0.0]
    """
    base = attractive + one_dimensional + must_be + indifferent
    safe = np.where(base > 0, base, 1.0)
    return np.where(base > 0, (attractive + one_dimensional) / safe, 0.0)


def worse_coefficient(
    attractive: FloatArray,
    one_dimensional: FloatArray,
    must_be: FloatArray,
    indifferent: FloatArray,
) -> FloatArray:
    """Vectorised worse coefficient (a negative number); 0 where there is no A/O/M/I answer.

    Examples:
        >>> worse_coefficient(np.array([4.0]), np.array([2.0]),
        ...                   np.array([3.0]), np.array([1.0])).tolist()
        [-0.5]
    """
    base = attractive + one_dimensional + must_be + indifferent
    safe = np.where(base > 0, base, 1.0)
    return np.where(base > 0, -(one_dimensional + must_be) / safe, 0.0)


def majority_category(counts: dict[KanoCategory, FloatArray]) -> npt.NDArray[np.str_]:
    """Vectorised majority category over arrays of counts, ties broken as ``TIE_BREAK``.

    Rows whose counts are all zero get the empty string.

    Examples:
        >>> majority_category({KanoCategory.attractive: np.array([2.0, 0.0]),
        ...                    KanoCategory.must_be: np.array([2.0, 0.0])}).tolist()
        ['must_be', '']
    """
    shape = np.broadcast_shapes(*(np.shape(v) for v in counts.values()))
    stacked = np.stack([np.broadcast_to(counts.get(c, 0.0), shape) for c in TIE_BREAK])
    # argmax returns the first maximum, so the TIE_BREAK order settles ties.
    best = np.argmax(stacked, axis=0)
    names = np.array([c.value for c in TIE_BREAK])
    empty = stacked.sum(axis=0) == 0
    return np.where(empty, "", names[best])
