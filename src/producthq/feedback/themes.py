"""Automatic theme discovery and stable theme identities across runs.

Method (chosen by measurement on CLINC150, see ``docs/feedback-analysis.md``):

1. Embed the texts with a pluggable :class:`~producthq.feedback.embedders.Embedder`.
2. Estimate the number of themes: average-linkage agglomerative clustering on cosine distance
   cut at a fixed distance (UPGMA; Sokal & Michener 1958) on a seeded sample of at most
   ``max_agglomerative`` items; the number of clusters with at least ``min_size`` members is the
   estimate ``k``. The cut distance is tuned per embedder (:data:`CUT_DISTANCE`); it transfers
   from 20 to 120 true themes as long as the embedding space does not change character with
   the corpus size (which is why ``tfidf-svd`` scales its SVD rank with the corpus).
3. Partition all items with spherical-ish k-means (k-means++ seeding, Arthur & Vassilvitskii
   2007) at that ``k`` on the unit vectors; clusters still under ``min_size`` are dissolved
   into their nearest large cluster.
4. Merge clusters whose centroids stay close (average linkage on the centroids, cut at a
   cosine tuned per embedder, :data:`MERGE_SIMILARITY`): the estimate of ``k`` errs high, and
   k-means then cuts one theme into pieces, which costs ARI on small inputs most.
5. Label each cluster by c-TF-IDF (:mod:`producthq.feedback.labels`, Grootendorst 2022) and pick
   representative quotes: the distinct texts nearest the centroid.

Stable identities: :func:`map_to_previous` matches new clusters to the previous run's themes by
the Hungarian algorithm (Kuhn 1955) on centroid cosine plus member Jaccard, with acceptance
thresholds; pinned themes keep id and label even when nothing matches, and absorb every new
cluster whose best match they are (so a hand merge survives a re-run); a hand-given label
survives a match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import AgglomerativeClustering, KMeans

from producthq.errors import InvalidInputError
from producthq.feedback.embedders import Embedder, FloatMatrix, l2_normalise
from producthq.feedback.labels import label_clusters

IntArray = npt.NDArray[np.int64]

# Cosine distance at which the average-linkage tree is cut, per embedder (tuned on the CLINC150
# validation split, checked on the test split).
CUT_DISTANCE: Mapping[str, float] = {"minilm-l6": 0.65, "tfidf-svd": 0.65}
DEFAULT_CUT_DISTANCE = 0.65

# Centroid cosine at or above which k-means clusters are merged afterwards, per embedder (chosen
# on the CLINC150 validation split; an embedder not listed gets no merge step).
MERGE_SIMILARITY: Mapping[str, float] = {"tfidf-svd": 0.5}

Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    """Ignore progress reports."""


@dataclass(frozen=True, eq=False)
class Cluster:
    """One discovered theme.

    Attributes:
        index: Position of the cluster in this run (0-based, by decreasing size).
        members: Positions of the member texts in the input.
        centroid: Unit-length mean of the members' vectors.
        label: Short readable name from the top c-TF-IDF terms.
        terms: The distinctive terms, best first.
        representatives: Positions of representative texts (nearest the centroid, distinct).
    """

    index: int
    members: tuple[int, ...]
    centroid: FloatMatrix
    label: str
    terms: tuple[str, ...]
    representatives: tuple[int, ...]

    @property
    def size(self) -> int:
        """The number of members."""
        return len(self.members)


@dataclass(frozen=True, eq=False)
class ThemeDiscovery:
    """The result of one discovery run."""

    clusters: tuple[Cluster, ...]
    assignments: IntArray
    embeddings: FloatMatrix
    embedder: str
    estimated_k: int

    @property
    def centroids(self) -> FloatMatrix:
        """The clusters' centroids as rows, in cluster order."""
        if not self.clusters:
            return np.zeros((0, self.embeddings.shape[1]), dtype=np.float32)
        return np.vstack([c.centroid for c in self.clusters]).astype(np.float32)


def default_min_size(n: int) -> int:
    """The smallest cluster that counts as a theme: 5, or 1 in 700 items on large inputs.

    Under 75 items it is ``n // 15`` but at least 3, so a handful of items per theme can
    still be found on a tiny workspace.

    >>> default_min_size(50), default_min_size(600), default_min_size(14_000)
    (3, 5, 20)
    """
    if n < 75:
        return max(3, n // 15)
    return max(5, round(n / 700))


def estimate_k(
    embeddings: FloatMatrix,
    *,
    cut_distance: float,
    min_size: int,
    max_agglomerative: int = 4000,
    seed: int = 0,
) -> int:
    """Estimate the number of themes by cutting an average-linkage tree.

    Args:
        embeddings: Unit row vectors.
        cut_distance: Cosine distance at which the tree is cut.
        min_size: Clusters smaller than this (scaled to the sample) are not counted.
        max_agglomerative: Largest sample clustered (the method is quadratic in memory).
        seed: Seed of the sample.

    Returns:
        At least 1.
    """
    n = embeddings.shape[0]
    if n < 2:
        return 1
    sample = embeddings
    size_floor = min_size
    if n > max_agglomerative:
        rng = np.random.default_rng(seed)
        sample = embeddings[np.sort(rng.choice(n, size=max_agglomerative, replace=False))]
        size_floor = max(2, round(min_size * max_agglomerative / n))
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=cut_distance, linkage="average", metric="cosine"
    )
    labels = model.fit_predict(sample)
    _, counts = np.unique(labels, return_counts=True)
    return max(1, int((counts >= size_floor).sum()))


def _partition(embeddings: FloatMatrix, k: int, min_size: int, seed: int) -> IntArray:
    n = embeddings.shape[0]
    k = min(k, n)
    if k <= 1:
        return np.zeros(n, dtype=np.int64)
    n_init = 3 if n <= 20_000 else 1
    km = KMeans(n_clusters=k, n_init=n_init, random_state=seed, max_iter=100)
    labels = np.asarray(km.fit_predict(embeddings), dtype=np.int64)
    ids, counts = np.unique(labels, return_counts=True)
    big = ids[counts >= min_size]
    if 0 < len(big) < len(ids):
        cent = l2_normalise(np.vstack([embeddings[labels == b].mean(axis=0) for b in big]))
        small = ~np.isin(labels, big)
        labels[small] = big[np.argmax(embeddings[small] @ cent.T, axis=1)]
    return _renumber(labels)


def merge_close_clusters(
    embeddings: FloatMatrix, assignments: IntArray, *, min_similarity: float
) -> IntArray:
    """Merge clusters whose centroids are close: average linkage on the centroids.

    k-means at an estimated ``k`` tends to cut one theme into pieces whose centroids stay
    close; joining every group of centroids whose average pairwise cosine is at least
    ``min_similarity`` undoes that without touching well-separated themes.

    Args:
        embeddings: Unit row vectors.
        assignments: Cluster of each row (0-based, every id in use).
        min_similarity: Cosine at or above which two groups of centroids merge.

    Returns:
        The merged assignment, renumbered by decreasing size.
    """
    ids = np.unique(assignments)
    if len(ids) < 2:
        return _renumber(assignments.copy())
    cent = l2_normalise(np.vstack([embeddings[assignments == i].mean(axis=0) for i in ids]))
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=1.0 - min_similarity, linkage="average", metric="cosine"
    )
    groups = np.asarray(model.fit_predict(cent), dtype=np.int64)
    return _renumber(groups[np.searchsorted(ids, assignments)])


def _renumber(labels: IntArray) -> IntArray:
    """Renumber clusters by decreasing size, ties by first member, so indices are deterministic."""
    ids, counts = np.unique(labels, return_counts=True)
    first = np.array([np.flatnonzero(labels == i)[0] for i in ids])
    order = sorted(range(len(ids)), key=lambda j: (-counts[j], first[j]))
    remap = np.empty(int(ids.max()) + 1, dtype=np.int64)
    for new, j in enumerate(order):
        remap[ids[j]] = new
    return remap[labels]


def _representatives(
    texts: Sequence[str], members: IntArray, sims: npt.NDArray[np.float32], n: int
) -> tuple[int, ...]:
    chosen: list[int] = []
    seen: set[str] = set()
    for j in np.argsort(-sims, kind="stable"):
        key = " ".join(texts[int(members[j])].lower().split())
        if key in seen:
            continue
        seen.add(key)
        chosen.append(int(members[j]))
        if len(chosen) >= n:
            break
    return tuple(chosen)


def build_clusters(
    texts: Sequence[str],
    embeddings: FloatMatrix,
    assignments: IntArray,
    *,
    n_representatives: int = 3,
) -> tuple[Cluster, ...]:
    """Describe each cluster of an assignment: centroid, c-TF-IDF label, representatives."""
    labels = label_clusters(texts, assignments)
    clusters: list[Cluster] = []
    for c in sorted({int(a) for a in assignments if a >= 0}):
        members = np.flatnonzero(assignments == c)
        centroid = l2_normalise(embeddings[members].mean(axis=0, keepdims=True))[0]
        sims = embeddings[members] @ centroid
        lab = labels.get(c)
        clusters.append(
            Cluster(
                index=c,
                members=tuple(int(m) for m in members),
                centroid=centroid,
                label=lab.name if lab else "(unlabelled)",
                terms=lab.terms if lab else (),
                representatives=_representatives(texts, members, sims, n_representatives),
            )
        )
    return tuple(clusters)


def discover_themes(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    embeddings: FloatMatrix | None = None,
    cut_distance: float | None = None,
    min_size: int | None = None,
    n_themes: int | None = None,
    merge_similarity: float | None = None,
    max_agglomerative: int = 4000,
    n_representatives: int = 3,
    seed: int = 0,
    progress: Progress = _no_progress,
) -> ThemeDiscovery:
    """Discover themes in texts without being told how many there are.

    Args:
        texts: The feedback texts (ideally after near-duplicates were collapsed).
        embedder: Turns texts into unit vectors; ignored when ``embeddings`` is given.
        embeddings: Precomputed unit vectors, one row per text.
        cut_distance: Cosine distance cutting the average-linkage tree; by default the value
            tuned for the embedder (:data:`CUT_DISTANCE`).
        min_size: Smallest theme; default :func:`default_min_size`.
        n_themes: Force the number of themes (skips the estimate and the merge step; for
            comparisons).
        merge_similarity: Centroid cosine at which clusters merge after k-means
            (:func:`merge_close_clusters`); by default the value for the embedder
            (:data:`MERGE_SIMILARITY`), none if it has no value; ``1.0`` turns the step off.
        max_agglomerative: Largest sample used to estimate the number of themes.
        n_representatives: Representative quotes per theme.
        seed: Seed of sampling and k-means.
        progress: Called with a stage name and a fraction done.

    Returns:
        The clusters (largest first), each item's cluster and the vectors used.
    """
    if not texts:
        raise InvalidInputError.single(("texts",), "need at least one text")
    if embeddings is None:
        progress("embed", 0.0)
        embeddings = embedder.embed(texts)
    if embeddings.shape[0] != len(texts):
        raise InvalidInputError.single(("embeddings",), "need one vector per text")
    vectors = l2_normalise(embeddings)
    size = min_size if min_size is not None else default_min_size(len(texts))
    if n_themes is None:
        progress("estimate", 0.25)
        cut = cut_distance if cut_distance is not None else _cut_for(embedder)
        k = estimate_k(
            vectors, cut_distance=cut, min_size=size, max_agglomerative=max_agglomerative, seed=seed
        )
    else:
        k = n_themes
    progress("cluster", 0.5)
    assignments = _partition(vectors, k, size, seed)
    merge_at = merge_similarity if merge_similarity is not None else _merge_for(embedder)
    if n_themes is None and merge_at is not None and merge_at < 1.0:
        assignments = merge_close_clusters(vectors, assignments, min_similarity=merge_at)
    progress("label", 0.8)
    clusters = build_clusters(texts, vectors, assignments, n_representatives=n_representatives)
    progress("done", 1.0)
    return ThemeDiscovery(
        clusters=clusters,
        assignments=assignments,
        embeddings=vectors,
        embedder=embedder.name,
        estimated_k=k,
    )


def _cut_for(embedder: Embedder) -> float:
    return CUT_DISTANCE.get(embedder.name, DEFAULT_CUT_DISTANCE)


def _merge_for(embedder: Embedder) -> float | None:
    return MERGE_SIMILARITY.get(embedder.name)


def assign_to_themes(
    embeddings: FloatMatrix, centroids: FloatMatrix, *, min_similarity: float = 0.0
) -> tuple[IntArray, npt.NDArray[np.float32]]:
    """Assign new items to existing themes by nearest centroid (the incremental path).

    Args:
        embeddings: Unit vectors of the new items.
        centroids: Unit centroids of the existing themes, one row per theme.
        min_similarity: Items whose best cosine is below this get ``-1`` (no theme).

    Returns:
        The theme row of each item (or -1) and its cosine similarity.
    """
    if centroids.shape[0] == 0:
        n = embeddings.shape[0]
        return np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.float32)
    sims = embeddings @ centroids.T
    best = np.argmax(sims, axis=1).astype(np.int64)
    score = sims[np.arange(len(best)), best].astype(np.float32)
    best[score < min_similarity] = -1
    return best, score


# ----------------------------------------------------------------------------- stable mapping


@dataclass(frozen=True, eq=False)
class PreviousTheme:
    """A theme as the last run (and any hand edits) left it.

    Attributes:
        theme_id: Stable id.
        label: Current label (automatic or given by hand).
        centroid: Unit centroid, or ``None`` if unknown.
        member_ids: Ids of the items in the theme.
        pinned: Kept with its id and label even if no new cluster matches.
        label_is_manual: The label was set by hand and survives a match.
    """

    theme_id: str
    label: str
    centroid: FloatMatrix | None
    member_ids: frozenset[str] = frozenset()
    pinned: bool = False
    label_is_manual: bool = False


@dataclass(frozen=True, eq=False)
class NewCluster:
    """A cluster of this run, described by the ids of its items."""

    index: int
    label: str
    centroid: FloatMatrix
    member_ids: frozenset[str]


@dataclass(frozen=True)
class ThemeMatch:
    """Where one theme ends up after a run.

    Attributes:
        theme_id: The stable id (previous or new).
        clusters: This run's clusters that form the theme (empty for an unmatched pinned one).
        label: The label to show.
        status: ``matched``, ``new``, ``pinned`` (kept without a match) or ``retired``.
        similarity: Score of the match (centroid cosine + member Jaccard), 0 when none.
    """

    theme_id: str
    clusters: tuple[int, ...]
    label: str
    status: Literal["matched", "new", "pinned", "retired"]
    similarity: float = 0.0


def clusters_for_mapping(discovery: ThemeDiscovery, ids: Sequence[str]) -> list[NewCluster]:
    """Describe a discovery's clusters by item ids, ready for :func:`map_to_previous`."""
    if len(ids) != len(discovery.assignments):
        raise InvalidInputError.single(("ids",), "need one id per text")
    return [
        NewCluster(
            index=c.index,
            label=c.label,
            centroid=c.centroid,
            member_ids=frozenset(ids[m] for m in c.members),
        )
        for c in discovery.clusters
    ]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _default_new_id(cluster: NewCluster) -> str:
    digest = hashlib.sha256("\n".join(sorted(cluster.member_ids)).encode()).hexdigest()
    return f"theme-{digest[:12]}"


@dataclass
class _Scores:
    cosine: npt.NDArray[np.float64]
    jaccard: npt.NDArray[np.float64]
    accept: npt.NDArray[np.bool_] = field(init=False)

    def set_accept(self, min_cosine: float, min_jaccard: float) -> None:
        self.accept = (self.cosine >= min_cosine) | (self.jaccard >= min_jaccard)


def _score(new: Sequence[NewCluster], previous: Sequence[PreviousTheme]) -> _Scores:
    cos = np.zeros((len(new), len(previous)))
    jac = np.zeros((len(new), len(previous)))
    for i, c in enumerate(new):
        for j, p in enumerate(previous):
            if p.centroid is not None and p.centroid.shape == c.centroid.shape:
                cos[i, j] = float(np.dot(c.centroid, p.centroid))
            jac[i, j] = _jaccard(c.member_ids, p.member_ids)
    return _Scores(cos, jac)


def map_to_previous(
    new_clusters: Sequence[NewCluster],
    previous_themes: Sequence[PreviousTheme],
    *,
    min_cosine: float = 0.8,
    min_jaccard: float = 0.3,
    new_id: Callable[[NewCluster], str] = _default_new_id,
) -> list[ThemeMatch]:
    """Give this run's clusters the ids of the previous themes they continue.

    One-to-one matching maximises ``cosine + jaccard`` (Hungarian algorithm); a pair counts
    only if the centroid cosine reaches ``min_cosine`` or the member Jaccard ``min_jaccard``.
    Then every still unmatched cluster whose best acceptable previous theme is pinned joins
    that theme (many-to-one), so a hand merge survives. Unmatched clusters become new themes;
    unmatched pinned themes stay (status ``pinned``); other unmatched ones are ``retired``.

    Args:
        new_clusters: This run's clusters.
        previous_themes: The themes before this run, with hand edits applied.
        min_cosine: Centroid cosine that makes a match.
        min_jaccard: Member Jaccard that makes a match.
        new_id: Makes the id of a new theme (default: a hash of its member ids).

    Returns:
        One entry per resulting theme, matched and new first, then pinned, then retired.
    """
    scores = _score(new_clusters, previous_themes)
    scores.set_accept(min_cosine, min_jaccard)
    total = scores.cosine + scores.jaccard
    owner: dict[int, int] = {}
    if new_clusters and previous_themes:
        rows, cols = linear_sum_assignment(-np.where(scores.accept, total, -1e6))
        owner = {int(r): int(c) for r, c in zip(rows, cols, strict=True) if scores.accept[r, c]}
    for i in range(len(new_clusters) if previous_themes else 0):
        if i in owner or not scores.accept[i].any():
            continue
        j = int(np.argmax(np.where(scores.accept[i], total[i], -np.inf)))
        if previous_themes[j].pinned:
            owner[i] = j
    by_theme: dict[int, list[int]] = {}
    for i, j in owner.items():
        by_theme.setdefault(j, []).append(i)
    out: list[ThemeMatch] = []
    for i, cluster in enumerate(new_clusters):
        if i in owner:
            j = owner[i]
            if by_theme[j][0] != i:
                continue
            prev = previous_themes[j]
            keep_label = prev.pinned or prev.label_is_manual
            members = sorted(by_theme[j])
            out.append(
                ThemeMatch(
                    theme_id=prev.theme_id,
                    clusters=tuple(new_clusters[m].index for m in members),
                    label=prev.label if keep_label else cluster.label,
                    status="matched",
                    similarity=round(float(max(total[m, j] for m in members)), 6),
                )
            )
        else:
            out.append(ThemeMatch(new_id(cluster), (cluster.index,), cluster.label, "new"))
    for j, prev in enumerate(previous_themes):
        if j not in by_theme:
            status: Literal["pinned", "retired"] = "pinned" if prev.pinned else "retired"
            out.append(ThemeMatch(prev.theme_id, (), prev.label, status))
    order = {"matched": 0, "new": 0, "pinned": 1, "retired": 2}
    return sorted(out, key=lambda m: order[m.status])
