"""Pure analysis modules: trend test, segment index, near-copy rule, themes and sentiment.

Expected values come from hand computation, scipy's distributions or sklearn's metrics.
"""

import csv
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from producthq.feedback import dedupe, themes
from producthq.feedback.embedders import TfidfSvdEmbedder, auto_dim
from producthq.feedback.sentiment import C_GRID, HybridScorer, LexiconScorer, mark_negation
from producthq.feedback.theme_stats import WeekVolume, segment_index, trend_test, weekly_volume

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feedback_labelled"


def _read(name: str) -> list[tuple[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


def _weeks(shares: list[float]) -> list[WeekVolume]:
    return [
        WeekVolume(date(2026, 1, 5) + timedelta(weeks=i), round(s * 100), 100)
        for i, s in enumerate(shares)
    ]


def test_trend_tau_matches_hand_computed_kendall_s() -> None:
    shares = [0.10, 0.12, 0.11, 0.15, 0.14, 0.18, 0.20, 0.19]
    # Mann-Kendall S = sum over i<j of sign(x_j - x_i); tau = S / (n(n-1)/2) without ties
    s = sum((b > a) - (b < a) for a, b in combinations(shares, 2))
    trend = trend_test(_weeks(shares))
    assert trend.tau == pytest.approx(s / (8 * 7 / 2), abs=1e-6)
    assert s == 22 and trend.direction == "growing" and trend.p_value < 0.05


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        pytest.param([0.3, 0.28, 0.25, 0.2, 0.18, 0.1, 0.08], "shrinking", id="falling"),
        pytest.param([0.2, 0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1], "stable", id="flat"),
        pytest.param([0.1, 0.2, 0.3], "not_enough_data", id="three-weeks"),
    ],
)
def test_trend_direction(shares: list[float], expected: str) -> None:
    assert trend_test(_weeks(shares)).direction == expected


def test_trend_uses_share_so_growth_of_all_feedback_is_not_a_trend() -> None:
    # the theme is always 10% of a total that doubles: counts grow, share does not
    volume = [
        WeekVolume(date(2026, 1, 5) + timedelta(weeks=i), 10 * 2**i, 100 * 2**i) for i in range(8)
    ]
    assert trend_test(volume).direction == "stable"


def test_weekly_volume_fills_empty_weeks() -> None:
    t = [datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 21, tzinfo=UTC)]
    got = [(v.week, v.count, v.total) for v in weekly_volume(t[1:], t)]
    assert got == [(date(2026, 1, 5), 0, 1), (date(2026, 1, 12), 0, 0), (date(2026, 1, 19), 1, 1)]


def test_segment_index_lift_and_exact_binomial_p() -> None:
    idx = {s.segment: s for s in segment_index(["ent"] * 9 + ["smb"] * 3, {"ent": 30, "smb": 70})}
    # 12 theme items; enterprise is 30% of all feedback, so 3.6 expected, 9 observed
    assert idx["ent"].expected == pytest.approx(3.6) and idx["ent"].lift == pytest.approx(2.5)
    assert idx["ent"].p_value == pytest.approx(stats.binom.sf(8, 12, 0.3))
    assert idx["ent"].over_indexed and not idx["smb"].over_indexed


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(
            "export the funnel report please", "export the funel report please", True, id="typo"
        ),
        pytest.param(
            "export the funnel report as csv", "export the funnel report csv", True, id="drop-word"
        ),
        pytest.param("what is my name", "what was my name", False, id="reworded"),
        pytest.param("whisper mode", "start whisper mode", False, id="short-added-word"),
        pytest.param("please add dark mode", "please add dakr mode", True, id="swap"),
    ],
)
def test_is_near_copy(a: str, b: str, same: bool) -> None:
    assert dedupe.is_near_copy(a, b) is same


def test_find_duplicates_groups_greeting_signature_and_case_copies_only() -> None:
    texts = [
        "The CSV export cuts off after 10,000 rows.",
        "Hi team,\nthe csv export cuts off after 10,000 rows!\n\nThanks,\nAnna",
        "CSV exports stop at ten thousand rows for us.",
        "Dark mode please",
    ]
    groups = [g.members for g in dedupe.find_duplicates(texts).groups]
    assert groups == [(0, 1)]


def test_themes_on_labelled_sample_reach_nmi_without_being_told_k() -> None:
    rows = _read("intents_sample.csv")
    texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
    found = themes.discover_themes(texts, TfidfSvdEmbedder(dim=64))
    nmi = normalized_mutual_info_score(labels, found.assignments)
    assert nmi >= 0.6, nmi
    assert 3 <= len(found.clusters) <= 10


def test_default_themes_beat_tfidf_kmeans_told_k_on_labelled_sample() -> None:
    rows = _read("intents_sample.csv")
    texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
    k = len(set(labels))
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    baseline = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(tfidf)
    found = themes.discover_themes(texts, TfidfSvdEmbedder())
    assert normalized_mutual_info_score(labels, found.assignments) >= normalized_mutual_info_score(
        labels, baseline
    )
    assert adjusted_rand_score(labels, found.assignments) >= adjusted_rand_score(labels, baseline)


def test_merge_close_clusters_joins_pieces_of_one_direction_only() -> None:
    # clusters 0 and 1 point almost the same way (cosine 0.995); cluster 2 is orthogonal
    a, b, c = np.array([1.0, 0.0, 0.0]), np.array([0.995, 0.0999, 0.0]), np.array([0.0, 0, 1])
    vectors = np.vstack([a] * 3 + [b] * 2 + [c] * 4).astype(np.float32)
    assignments = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2], dtype=np.int64)
    merged = themes.merge_close_clusters(vectors, assignments, min_similarity=0.9)
    # renumbered by size: the merged pair (5 items) first, the orthogonal one (4) second
    assert merged.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    unmerged = themes.merge_close_clusters(vectors, assignments, min_similarity=0.999)
    assert sorted(np.bincount(unmerged).tolist()) == [2, 3, 4]


def test_tfidf_svd_rank_scales_with_the_corpus() -> None:
    assert (auto_dim(100), auto_dim(600), auto_dim(2400), auto_dim(50_000)) == (32, 50, 200, 256)
    rows = _read("intents_sample.csv")
    emb = TfidfSvdEmbedder()
    assert emb.embed([t for t, _ in rows]).shape == (50, 32)


def test_mark_negation_prefixes_words_until_punctuation() -> None:
    got = mark_negation("Not good, but I don't hate it. Never again")
    assert got == "not NEG_good , but i don't NEG_hate NEG_it . never NEG_again"


def test_hybrid_scorer_picks_c_from_grid_by_inner_cv() -> None:
    rows = _read("sentiment_sample.csv")
    model = HybridScorer([t for t, _ in rows], [int(lab) for _, lab in rows])
    assert model.c in C_GRID
    fixed = HybridScorer([t for t, _ in rows], [int(lab) for _, lab in rows], c=3.0)
    assert fixed.c == 3.0


def test_lexicon_scorer_beats_chance_on_labelled_sample() -> None:
    rows = _read("sentiment_sample.csv")
    scores = LexiconScorer().score([t for t, _ in rows])
    accuracy = sum((s > 0) == (lab == "1") for s, (_, lab) in zip(scores, rows, strict=True)) / 40
    assert accuracy >= 0.7


def test_hybrid_scorer_trained_on_given_texts_has_the_right_sign() -> None:
    rows = _read("sentiment_sample.csv")
    model = HybridScorer([t for t, _ in rows], [int(lab) for _, lab in rows])
    scores = model.score(["I love this, it is great and wonderful", "Awful, it crashes, terrible"])
    assert scores[0] > 0 > scores[1]
    assert all(-1 <= s <= 1 for s in scores)
