"""Readable theme labels by class-based TF-IDF (c-TF-IDF).

All texts of a cluster are treated as one document; a term's weight in cluster ``c`` is
``tf(t, c) * log(1 + A / f(t))``, where ``tf`` is the term's frequency in the cluster
normalised by the cluster's length, ``A`` the average number of words per cluster and ``f(t)``
the term's frequency over all clusters. The highest-weighted terms are the cluster's most
distinctive words (Grootendorst 2022, "BERTopic: Neural topic modeling with a class-based TF-IDF
procedure", arXiv:2203.05794, section 3.3). Unigrams and bigrams are scored; a bigram that
contains a chosen unigram, or a unigram inside a chosen bigram, is skipped so labels do not
repeat themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from producthq.errors import InvalidInputError

# Words that carry no topic in feedback even though they are not classic stop words.
FEEDBACK_STOP_WORDS = frozenset(
    {
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "just",
        "like",
        "want",
        "need",
        "know",
        "tell",
        "let",
        "did",
        "does",
        "don",
        "ve",
        "ll",
        "im",
        "can",
        "could",
        "would",
        "should",
    }
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | FEEDBACK_STOP_WORDS)


@dataclass(frozen=True)
class ClusterLabel:
    """The label of one cluster: its top terms and a short readable name."""

    cluster: int
    terms: tuple[str, ...]
    weights: tuple[float, ...]

    @property
    def name(self) -> str:
        """The top three terms joined, e.g. ``"luggage / lost / bag"``."""
        return " / ".join(self.terms[:3]) if self.terms else "(unlabelled)"


def c_tf_idf(
    texts: Sequence[str], assignments: Sequence[int] | npt.NDArray[np.int_]
) -> tuple[list[int], list[str], npt.NDArray[np.float64]]:
    """Compute the c-TF-IDF matrix of clusters × terms.

    Args:
        texts: The documents.
        assignments: The cluster of each document; negative values are ignored.

    Returns:
        The cluster ids (row order), the vocabulary (column order) and the weight matrix.
    """
    labels = np.asarray(assignments, dtype=np.int64)
    if labels.shape[0] != len(texts):
        raise InvalidInputError.single(("assignments",), "need one cluster per text")
    clusters = sorted({int(c) for c in labels if c >= 0})
    docs = [" ".join(texts[int(i)] for i in np.flatnonzero(labels == c)) for c in clusters]
    if not docs:
        return [], [], np.zeros((0, 0))
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=STOP_WORDS,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",  # noqa: S106
    )
    try:
        counts = vectorizer.fit_transform(docs).astype(np.float64)
    except ValueError:  # nothing left after stop words
        return clusters, [], np.zeros((len(clusters), 0))
    dense = counts.toarray()
    lengths = dense.sum(axis=1, keepdims=True)
    lengths[lengths == 0] = 1.0
    tf = dense / lengths
    term_freq = dense.sum(axis=0)
    avg_words = float(dense.sum()) / len(clusters)
    idf = np.log(1.0 + avg_words / np.maximum(term_freq, 1.0))
    return clusters, list(vectorizer.get_feature_names_out()), tf * idf


def label_clusters(
    texts: Sequence[str],
    assignments: Sequence[int] | npt.NDArray[np.int_],
    *,
    top_n: int = 5,
) -> dict[int, ClusterLabel]:
    """Label every cluster with its most distinctive terms.

    Args:
        texts: The documents.
        assignments: The cluster of each document; negative values are ignored.
        top_n: How many terms to keep per cluster.

    Returns:
        A label per cluster id.
    """
    clusters, vocab, weights = c_tf_idf(texts, assignments)
    out: dict[int, ClusterLabel] = {}
    for row, cluster in enumerate(clusters):
        order = np.argsort(-weights[row], kind="stable") if vocab else np.array([], dtype=int)
        terms: list[str] = []
        kept: list[float] = []
        for j in order:
            w = float(weights[row, j])
            if w <= 0 or len(terms) >= top_n:
                break
            term = vocab[j]
            words = set(term.split())
            if any(words & set(t.split()) for t in terms):
                continue
            terms.append(term)
            kept.append(round(w, 6))
        out[cluster] = ClusterLabel(cluster=cluster, terms=tuple(terms), weights=tuple(kept))
    return out
