"""Sentiment of feedback texts: a score in [-1, 1] per text.

Two scorers behind one :class:`SentimentScorer` interface:

* :class:`LexiconScorer` — VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model
  for Sentiment Analysis of Social Media Text", ICWSM), whose rules handle negation, intensifiers,
  "but" clauses, capitals and exclamation marks, with a few product-feedback words added to its
  lexicon (``crash``, ``laggy``, ``unusable``, …). Its compound score is the sentiment.
* :class:`HybridScorer` (the default) — logistic regression on word 1–2-gram and character
  2–5-gram TF-IDF plus the four VADER scores as extra features (stacking a lexicon with a
  bag-of-n-grams model, as in Mohammad, Kiritchenko & Zhu 2013, "NRC-Canada: building the
  state-of-the-art in sentiment analysis of tweets"). It is trained on first use on the labelled
  sentences shipped in ``feedback/data`` (CC BY 4.0, see its README), or on texts it is given.
  Its score is ``2·P(positive) − 1``. Measured in ``benchmarks/bench_feedback_themes.py`` by
  10-fold cross-validation, so no test sentence is ever seen in training.

Both run offline with the default install; nothing is downloaded.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from producthq.errors import InvalidInputError

TRAINING_FILE = Path(__file__).parent / "data" / "sentiment_imdb.csv"

# Words that carry sentiment in product feedback but are missing from (or neutral in) VADER's
# lexicon; valences on VADER's -4 … +4 scale.
PRODUCT_LEXICON: dict[str, float] = {
    "crash": -2.2,
    "crashes": -2.2,
    "crashed": -2.2,
    "crashing": -2.2,
    "buggy": -2.0,
    "bug": -1.2,
    "bugs": -1.4,
    "laggy": -1.8,
    "lag": -1.2,
    "slow": -1.3,
    "sluggish": -1.6,
    "unusable": -2.8,
    "broken": -2.0,
    "freezes": -1.9,
    "frozen": -1.2,
    "confusing": -1.6,
    "clunky": -1.7,
    "missing": -0.8,
    "timeout": -1.2,
    "outage": -2.2,
    "downtime": -1.8,
    "intuitive": 1.8,
    "seamless": 2.0,
    "smooth": 1.5,
    "snappy": 1.6,
    "lifesaver": 2.5,
    "game-changer": 2.4,
}


class SentimentScorer(Protocol):
    """Scores texts; each score is in [-1, 1], negative to positive."""

    @property
    def name(self) -> str:
        """The slug of this scorer."""
        ...

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return one score per text, in input order."""
        ...


def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(PRODUCT_LEXICON)
    return analyzer


class LexiconScorer:
    """VADER's compound score with product-feedback words added.

    >>> s = LexiconScorer().score(["I love the new dashboard", "The app crashes every day"])
    >>> bool(s[0] > 0.3), bool(s[1] < -0.3)
    (True, True)
    """

    name = "vader-product"

    def __init__(self) -> None:
        self._vader = _analyzer()

    def features(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return VADER's compound, positive, negative and neutral scores per text."""
        rows = [self._vader.polarity_scores(t) for t in texts]
        return np.array(
            [[r["compound"], r["pos"], r["neg"], r["neu"]] for r in rows], dtype=np.float64
        ).reshape(len(rows), 4)

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return the compound score of each text."""
        return self.features(texts)[:, 0].copy()


def load_training_data(path: Path = TRAINING_FILE) -> tuple[list[str], list[int]]:
    """Read labelled sentences (columns ``text``, ``label`` with 1 = positive, 0 = negative)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["text"], int(r["label"])) for r in csv.DictReader(f)]
    return [t for t, _ in rows], [y for _, y in rows]


class HybridScorer:
    """Logistic regression on n-gram TF-IDF plus the lexicon's scores (the default scorer).

    Args:
        texts: Training texts; by default the shipped labelled sentences.
        labels: 1 (positive) or 0 (negative) per training text.
        lexicon_weight: Scale of the four lexicon features against the TF-IDF ones.
        c: Inverse regularisation strength of the logistic regression.
    """

    name = "hybrid"

    def __init__(
        self,
        texts: Sequence[str] | None = None,
        labels: Sequence[int] | None = None,
        *,
        lexicon_weight: float = 5.0,
        c: float = 10.0,
    ) -> None:
        if texts is None or labels is None:
            texts, labels = load_training_data()
        if len(texts) != len(labels) or len(set(labels)) != 2:
            raise InvalidInputError.single(
                ("labels",), "need one label per text and both classes (0 and 1)"
            )
        self._lexicon = LexiconScorer()
        self._weight = lexicon_weight
        self._vectorizer = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
            ]
        )
        x = self._matrix(texts, fit=True)
        self._model = LogisticRegression(C=c, max_iter=3000).fit(x, np.asarray(labels))

    def _matrix(self, texts: Sequence[str], *, fit: bool = False) -> sp.csr_matrix:
        grams = self._vectorizer.fit_transform(texts) if fit else self._vectorizer.transform(texts)
        lex = sp.csr_matrix(self._lexicon.features(texts) * self._weight)
        return sp.hstack([grams, lex]).tocsr()

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return ``2·P(positive) − 1`` for each text."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        proba = self._model.predict_proba(self._matrix(texts))[:, 1]
        return np.asarray(2.0 * proba - 1.0, dtype=np.float64)


_DEFAULT: HybridScorer | None = None


def default_scorer() -> HybridScorer:
    """Return the shared default scorer (trained once per process, about a second)."""
    global _DEFAULT  # noqa: PLW0603 - a process-wide cache of an immutable, fitted model
    if _DEFAULT is None:
        _DEFAULT = HybridScorer()
    return _DEFAULT
