"""Sentiment of feedback texts: a score in [-1, 1] per text.

Two scorers behind one :class:`SentimentScorer` interface:

* :class:`LexiconScorer` — VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model
  for Sentiment Analysis of Social Media Text", ICWSM), whose rules handle negation, intensifiers,
  "but" clauses, capitals and exclamation marks, with a few product-feedback words added to its
  lexicon (``crash``, ``laggy``, ``unusable``, …). Its compound score is the sentiment.
* :class:`HybridScorer` (the default) — logistic regression on word 1–2-gram TF-IDF with
  negation scope marked (every word after ``not``/``never``/``…n't`` up to the next punctuation
  gets a ``NEG_`` prefix; Das & Chen 2001, Pang, Lee & Vaithyanathan 2002), character 2–5-gram
  TF-IDF, and the four VADER scores as extra features (stacking a lexicon with a
  bag-of-n-grams model, as in Mohammad, Kiritchenko & Zhu 2013, "NRC-Canada: building the
  state-of-the-art in sentiment analysis of tweets"). The regularisation ``C`` is chosen from
  :data:`C_GRID` by 5-fold cross-validation on the training texts each time it is trained, so
  the benchmark's outer 10-fold cross-validation is nested and never tunes on a test fold. It
  is trained on first use on the labelled sentences shipped in ``feedback/data`` (CC BY 4.0,
  see its README), or on texts it is given. Its score is ``2·P(positive) − 1``.

Both run offline with the default install; nothing is downloaded.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from producthq.errors import InvalidInputError

TRAINING_FILE = Path(__file__).parent / "data" / "sentiment_imdb.csv"
# The C that the inner cross-validation picks on TRAINING_FILE, stored so that the default
# scorer trains with a single fit (its SHA-256 guards against a changed training file).
MODEL_FILE = Path(__file__).parent / "data" / "sentiment_model.json"

# Candidate regularisation strengths, chosen between by inner cross-validation on training data.
C_GRID: tuple[float, ...] = (1.0, 10.0, 100.0)

NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "hardly",
        "cannot",
    }
)
_TOKEN = re.compile(r"[\w']+|[.,;:!?]")
_CLAUSE_END = frozenset(".,;:!?")
# mark_negation already tokenised; the word vectoriser splits its output on spaces only
_SPACE_SEPARATED = r"\S+"

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


def mark_negation(text: str) -> str:
    """Lower-case, tokenise, and prefix ``NEG_`` to each word in a negation's scope.

    The scope runs from the word after a negator (``not``, ``never``, any ``…n't``) to the next
    punctuation mark.

    >>> mark_negation("It's not funny, but I didn't hate it.")
    "it's not NEG_funny , but i didn't NEG_hate NEG_it ."
    """
    out: list[str] = []
    negated = False
    for tok in _TOKEN.findall(text.lower()):
        if tok in _CLAUSE_END:
            negated = False
            out.append(tok)
            continue
        out.append(f"NEG_{tok}" if negated else tok)
        if tok in NEGATORS or tok.endswith("n't"):
            negated = True
    return " ".join(out)


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
        c: Inverse regularisation strength of the logistic regression; by default chosen from
            :data:`C_GRID` by 5-fold cross-validation on the training texts (attribute ``c``).
    """

    name = "hybrid"

    def __init__(
        self,
        texts: Sequence[str] | None = None,
        labels: Sequence[int] | None = None,
        *,
        lexicon_weight: float = 5.0,
        c: float | None = None,
    ) -> None:
        if texts is None or labels is None:
            texts, labels = load_training_data()
            c = c if c is not None else _shipped_c()
        if len(texts) != len(labels) or len(set(labels)) != 2:
            raise InvalidInputError.single(
                ("labels",), "need one label per text and both classes (0 and 1)"
            )
        self._lexicon = LexiconScorer()
        self._weight = lexicon_weight
        self._words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, token_pattern=_SPACE_SEPARATED, lowercase=False
        )
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        x = self._matrix(texts, fit=True)
        y = np.asarray(labels)
        self.c = c if c is not None else _choose_c(x, y)
        self._model = _logistic(self.c).fit(x, y)

    def _matrix(self, texts: Sequence[str], *, fit: bool = False) -> sp.csr_matrix:
        marked = [mark_negation(t) for t in texts]
        if fit:
            parts = [self._words.fit_transform(marked), self._chars.fit_transform(texts)]
        else:
            parts = [self._words.transform(marked), self._chars.transform(texts)]
        lex = sp.csr_matrix(self._lexicon.features(texts) * self._weight)
        return sp.hstack([*parts, lex]).tocsr()

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Return ``2·P(positive) − 1`` for each text."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        proba = self._model.predict_proba(self._matrix(texts))[:, 1]
        return np.asarray(2.0 * proba - 1.0, dtype=np.float64)


def _shipped_c() -> float | None:
    """The stored C for the shipped training file, or ``None`` if the file changed."""
    try:
        meta = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = hashlib.sha256(TRAINING_FILE.read_bytes()).hexdigest()
    if meta.get("training_sha256") != digest:
        return None
    return float(meta["c"])


def _logistic(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, solver="liblinear", max_iter=3000)


def _choose_c(x: sp.csr_matrix, y: npt.NDArray[np.int64]) -> float:
    """The value of :data:`C_GRID` with the best 5-fold accuracy (the smallest on a tie)."""
    folds = min(5, int(np.bincount(y).min()))
    if folds < 2:
        return C_GRID[len(C_GRID) // 2]
    cv = StratifiedKFold(folds, shuffle=True, random_state=1)
    means = [float(cross_val_score(_logistic(c), x, y, cv=cv).mean()) for c in C_GRID]
    return C_GRID[int(np.argmax(means))]


_DEFAULT: HybridScorer | None = None


def default_scorer() -> HybridScorer:
    """Return the shared default scorer (trained once per process, about a second)."""
    global _DEFAULT  # noqa: PLW0603 - a process-wide cache of an immutable, fitted model
    if _DEFAULT is None:
        _DEFAULT = HybridScorer()
    return _DEFAULT
