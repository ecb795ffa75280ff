"""Use cases of the insight pipeline: near-duplicates, sentiment and themes on stored feedback.

:func:`analyze_feedback` runs the pure modules (``dedupe``, ``sentiment``, ``embedders``,
``themes``) on a workspace's feedback and stores what they return:

1. near-duplicate groups (``duplicate_group`` = the group's first item id);
2. a sentiment score and label for every item that has none;
3. themes: one item per duplicate group is clustered; the clusters are mapped onto the
   previous run's themes (:func:`producthq.feedback.themes.map_to_previous`), whose centroids
   are re-computed in this run's vector space from their current members, so the match does
   not depend on the embedder being refitted. Hand edits survive: a renamed theme keeps its
   label, a pinned theme stays (and absorbs the clusters that best match it), and an item put
   in a theme by hand (``theme_locked``, set by merge and split) stays there.

``incremental=True`` assigns only items without a theme to the nearest existing theme, on a
vector space fitted to a bounded sample, so adding 1,000 items does not re-cluster 100,000.

Functions flush, never commit; the caller's unit of work (request, CLI command, job) commits.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.db import unit_of_work, workspace_scope
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.feedback import dedupe, sentiment, themes
from producthq.feedback.analysis import sentiment_label
from producthq.feedback.embedders import DEFAULT_EMBEDDER, Embedder, get_embedder, l2_normalise
from producthq.feedback.labels import label_clusters
from producthq.feedback.models import FeedbackItem, FeedbackStatus, Theme
from producthq.jobs.registry import REGISTRY, JobContext

Progress = Callable[[int, str], None]
ACTIVE = "active"
RETIRED = "retired"
# Items sampled per theme (and overall) to fit the space of an incremental run.
INCREMENTAL_PER_THEME = 200
INCREMENTAL_FIT_DOCS = 20_000


def _no_progress(percent: int, message: str = "") -> None:
    """Ignore progress."""


@dataclass
class AnalysisResult:
    """What one run changed, with the seconds spent per stage."""

    items: int = 0
    duplicates: int = 0
    sentiment_scored: int = 0
    themes: int = 0
    themes_new: int = 0
    themes_matched: int = 0
    themes_retired: int = 0
    assigned: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and timings as plain JSON values."""
        return dict(self.__dict__)


def _text_of(item: FeedbackItem) -> str:
    return f"{item.title}. {item.text}" if item.title else item.text


def _load_items(session: Session, workspace_id: int) -> list[FeedbackItem]:
    return list(
        session.scalars(
            select(FeedbackItem)
            .where(
                FeedbackItem.workspace_id == workspace_id,
                FeedbackItem.status != FeedbackStatus.archived.value,
            )
            .order_by(FeedbackItem.id)
        )
    )


def _themes(session: Session, workspace_id: int) -> dict[int, Theme]:
    rows = session.scalars(select(Theme).where(Theme.workspace_id == workspace_id))
    return {t.id: t for t in rows}


def _mark_duplicates(items: list[FeedbackItem]) -> list[int]:
    """Store duplicate groups; return each item's canonical position."""
    result = dedupe.find_duplicates([i.text for i in items])
    group_of: dict[int, int] = {}
    for group in result.groups:
        first = items[group.members[0]].id
        group_of.update({items[m].id: first for m in group.members})
    for item in items:
        item.duplicate_group = group_of.get(item.id)
    return list(result.canonical)


def _score_sentiment(items: Sequence[FeedbackItem], scorer: sentiment.SentimentScorer) -> int:
    todo = [i for i in items if i.sentiment is None]
    if not todo:
        return 0
    scores = scorer.score([i.text for i in todo])
    for item, score in zip(todo, scores, strict=True):
        item.sentiment = round(float(max(-1.0, min(1.0, score))), 6)
        item.sentiment_label = sentiment_label(item.sentiment).value
    return len(todo)


def _previous(
    unique: list[FeedbackItem], vectors: np.ndarray, known: dict[int, Theme]
) -> list[themes.PreviousTheme]:
    members: dict[int, list[int]] = defaultdict(list)
    for k, item in enumerate(unique):
        if item.theme_id in known:
            members[item.theme_id].append(k)
    out = []
    for theme_id, theme in known.items():
        if theme.status != ACTIVE or theme.merged_into_id is not None:
            continue
        pos = members.get(theme_id, [])
        centroid = l2_normalise(vectors[pos].mean(axis=0, keepdims=True))[0] if pos else None
        out.append(
            themes.PreviousTheme(
                theme_id=str(theme_id),
                label=theme.label,
                centroid=centroid,
                member_ids=frozenset(str(unique[p].id) for p in pos),
                pinned=theme.pinned,
                label_is_manual=theme.renamed_by_user,
            )
        )
    return out


def _store_themes(
    session: Session,
    workspace_id: int,
    unique: list[FeedbackItem],
    discovery: themes.ThemeDiscovery,
    known: dict[int, Theme],
    result: AnalysisResult,
) -> dict[int, int]:
    """Create or update the theme rows; return cluster index → theme id."""
    previous = _previous(unique, discovery.embeddings, known)
    matches = themes.map_to_previous(
        themes.clusters_for_mapping(discovery, [str(i.id) for i in unique]), previous
    )
    by_index = {c.index: c for c in discovery.clusters}
    theme_of_cluster: dict[int, int] = {}
    for match in matches:
        if match.status == "retired":
            known[int(match.theme_id)].status = RETIRED
            result.themes_retired += 1
            continue
        if match.status == "pinned":
            continue
        clusters = [by_index[c] for c in match.clusters]
        terms = list(dict.fromkeys(t for c in clusters for t in c.terms))[:8]
        reps = [unique[r].id for c in clusters for r in c.representatives][:5]
        if match.status == "new":
            theme = Theme(
                workspace_id=workspace_id,
                label=match.label[:200],
                keywords=terms,
                representative_ids=reps,
                status=ACTIVE,
            )
            session.add(theme)
            session.flush()
            result.themes_new += 1
        else:
            theme = known[int(match.theme_id)]
            theme.label = match.label[:200]
            theme.keywords, theme.representative_ids = terms, reps
            theme.status = ACTIVE
            result.themes_matched += 1
        for c in clusters:
            theme_of_cluster[c.index] = theme.id
    result.themes = len(set(theme_of_cluster.values())) + sum(
        1 for m in matches if m.status == "pinned"
    )
    return theme_of_cluster


def analyze_feedback(
    session: Session,
    *,
    workspace_id: int,
    embedder: Embedder | None = None,
    scorer: sentiment.SentimentScorer | None = None,
    incremental: bool = False,
    seed: int = 0,
    progress: Progress = _no_progress,
) -> AnalysisResult:
    """Find near-duplicates, score sentiment and discover (or extend) themes; store them all.

    Args:
        session: A session of the caller's unit of work.
        workspace_id: The workspace analysed (archived items are left out).
        embedder: Text embedder; default the registry's default (``tfidf-svd``), fresh.
        scorer: Sentiment scorer; default :func:`producthq.feedback.sentiment.default_scorer`.
        incremental: Only give items without a theme the nearest existing theme.
        seed: Seed of sampling and clustering.
        progress: Called with a percentage and a short message.

    Returns:
        The counts of what changed and the seconds per stage.
    """
    result = AnalysisResult()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[stage] = round(now - clock, 3)
        clock = now

    progress(2, "loading feedback")
    items = _load_items(session, workspace_id)
    result.items = len(items)
    lap("load")
    if not items:
        return result
    progress(10, "finding near-duplicates")
    canonical = _mark_duplicates(items)
    result.duplicates = sum(1 for i in items if i.duplicate_group is not None)
    lap("dedupe")
    progress(30, "scoring sentiment")
    result.sentiment_scored = _score_sentiment(items, scorer or sentiment.default_scorer())
    lap("sentiment")
    embedder = embedder or get_embedder(DEFAULT_EMBEDDER)
    known = _themes(session, workspace_id)
    if incremental and any(t.status == ACTIVE for t in known.values()):
        _assign_new(items, canonical, known, embedder, result, seed, lap)
    else:
        _recluster(session, workspace_id, items, canonical, known, embedder, result, seed, lap)
    session.flush()
    progress(100, f"{result.themes} themes, {result.duplicates} items in duplicate groups")
    return result


def _recluster(
    session: Session,
    workspace_id: int,
    items: list[FeedbackItem],
    canonical: list[int],
    known: dict[int, Theme],
    embedder: Embedder,
    result: AnalysisResult,
    seed: int,
    lap: Callable[[str], None],
) -> None:
    unique_pos = sorted(set(canonical))
    unique = [items[p] for p in unique_pos]
    texts = [_text_of(i) for i in unique]
    vectors = embedder.embed(texts)
    lap("embed")
    discovery = themes.discover_themes(texts, embedder, embeddings=vectors, seed=seed)
    lap("cluster")
    theme_of_cluster = _store_themes(session, workspace_id, unique, discovery, known, result)
    lap("label")
    theme_at = {
        unique_pos[k]: theme_of_cluster.get(int(a)) for k, a in enumerate(discovery.assignments)
    }
    _apply(items, canonical, theme_at, known, result)
    lap("store")


def _apply(
    items: list[FeedbackItem],
    canonical: list[int],
    theme_at: dict[int, int | None],
    known: dict[int, Theme],
    result: AnalysisResult,
) -> None:
    for pos, item in enumerate(items):
        if item.theme_locked and item.theme_id is not None:
            continue
        target = theme_at.get(canonical[pos], theme_at.get(pos))
        if target is None and item.theme_id in known and known[item.theme_id].pinned:
            continue  # a pinned theme that matched nothing keeps its items
        if item.theme_id != target:
            item.theme_id = target
            result.assigned += 1


def _assign_new(
    items: list[FeedbackItem],
    canonical: list[int],
    known: dict[int, Theme],
    embedder: Embedder,
    result: AnalysisResult,
    seed: int,
    lap: Callable[[str], None],
) -> None:
    active = {tid for tid, t in known.items() if t.status == ACTIVE and t.merged_into_id is None}
    new_pos = [p for p, i in enumerate(items) if i.theme_id is None and canonical[p] == p]
    rng = np.random.default_rng(seed)
    members: dict[int, list[int]] = defaultdict(list)
    for p, i in enumerate(items):
        if i.theme_id in active:
            members[i.theme_id].append(p)
    sample: dict[int, list[int]] = {}
    for tid, pos in members.items():
        take = min(len(pos), INCREMENTAL_PER_THEME)
        sample[tid] = sorted(int(x) for x in rng.choice(pos, size=take, replace=False))
    fit_pos = sorted({p for pos in sample.values() for p in pos} | set(new_pos))
    fit_pos = fit_pos[:INCREMENTAL_FIT_DOCS] if len(fit_pos) > INCREMENTAL_FIT_DOCS else fit_pos
    vectors = embedder.embed([_text_of(items[p]) for p in fit_pos])
    row_of = {p: r for r, p in enumerate(fit_pos)}
    theme_ids = [tid for tid in sorted(sample) if sample[tid]]
    result.themes = len(active)
    if not theme_ids or not new_pos:
        lap("embed")
        return
    centroids = l2_normalise(
        np.vstack([vectors[[row_of[p] for p in sample[t]]].mean(axis=0) for t in theme_ids])
    )
    new_rows = [row_of[p] for p in new_pos if p in row_of]
    lap("embed")
    best, _score = themes.assign_to_themes(vectors[new_rows], centroids)
    theme_at = {
        p: theme_ids[int(b)] if b >= 0 else None
        for p, b in zip([p for p in new_pos if p in row_of], best, strict=True)
    }
    lap("cluster")
    for k, item in enumerate(items):
        if item.theme_id is not None:
            continue
        target = theme_at.get(canonical[k])
        if target is not None:
            item.theme_id = target
            result.assigned += 1
    result.themes = len(active)
    lap("store")


# --- hand edits ----------------------------------------------------------------------------


def get_theme(session: Session, *, workspace_id: int, theme_id: int) -> Theme:
    """Return a theme of the workspace or raise ``NotFoundError``."""
    theme = session.get(Theme, theme_id)
    if theme is None or theme.workspace_id != workspace_id:
        raise NotFoundError(f"theme {theme_id} not found")
    return theme


def _audit(session: Session, actor: Actor, theme: Theme, action: str, summary: str) -> None:
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action=action,
        object_type="theme",
        object_id=theme.id,
        summary=summary[:300],
    )


def update_theme(
    session: Session,
    *,
    actor: Actor,
    theme_id: int,
    label: str | None = None,
    pinned: bool | None = None,
) -> Theme:
    """Rename a theme (the name then survives re-runs) and/or pin or unpin it."""
    theme = get_theme(session, workspace_id=actor.workspace_id, theme_id=theme_id)
    if label is not None:
        clean = " ".join(label.split())[:200]
        if not clean:
            raise InvalidInputError.single(("label",), "a theme needs a non-empty label")
        theme.label, theme.renamed_by_user = clean, True
    if pinned is not None:
        theme.pinned = pinned
    session.flush()
    _audit(session, actor, theme, "update", f"updated theme {theme.label}")
    return theme


def merge_themes(
    session: Session, *, actor: Actor, keep_id: int, merge_ids: Sequence[int]
) -> Theme:
    """Merge themes into ``keep_id``: their items move (and stay) there; ``keep_id`` is pinned."""
    ws = actor.workspace_id
    keep = get_theme(session, workspace_id=ws, theme_id=keep_id)
    others = [get_theme(session, workspace_id=ws, theme_id=t) for t in dict.fromkeys(merge_ids)]
    if not others or any(t.id == keep.id for t in others):
        raise InvalidInputError.single(("merge_ids",), "name other themes to merge into this one")
    if keep.status != ACTIVE:
        raise ConflictError(f"theme {keep.id} is retired; merge into an active theme")
    ids = [t.id for t in others]
    for item in session.scalars(
        select(FeedbackItem).where(FeedbackItem.workspace_id == ws, FeedbackItem.theme_id.in_(ids))
    ):
        item.theme_id, item.theme_locked = keep.id, True
    for item in session.scalars(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == ws, FeedbackItem.theme_id == keep.id
        )
    ):
        item.theme_locked = True
    for t in others:
        t.merged_into_id, t.status, t.pinned = keep.id, RETIRED, False
    keep.pinned = True
    session.flush()
    _audit(session, actor, keep, "merge", f"merged themes {ids} into {keep.label}")
    return keep


def split_theme(
    session: Session,
    *,
    actor: Actor,
    theme_id: int,
    item_ids: Sequence[int] | None = None,
    label: str | None = None,
    embedder: Embedder | None = None,
) -> Theme:
    """Split a theme in two: the items given (or, if none, the smaller of two k-means halves).

    Both parts are pinned and their items locked, so the split survives re-runs.

    Returns:
        The new theme.
    """
    ws = actor.workspace_id
    theme = get_theme(session, workspace_id=ws, theme_id=theme_id)
    members = list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.workspace_id == ws, FeedbackItem.theme_id == theme.id)
            .order_by(FeedbackItem.id)
        )
    )
    if len(members) < 2:
        raise InvalidInputError.single(("theme_id",), "a theme needs two items to be split")
    if item_ids:
        wanted = set(item_ids)
        moving = [i for i in members if i.id in wanted]
        if len(moving) != len(wanted) or len(moving) == len(members):
            raise InvalidInputError.single(
                ("item_ids",), "name some, not all, of the items in this theme"
            )
    else:
        moving = _auto_half(members, embedder or get_embedder(DEFAULT_EMBEDDER))
    texts = [_text_of(i) for i in members]
    moving_ids = {i.id for i in moving}
    part = np.array([1 if i.id in moving_ids else 0 for i in members], dtype=np.int64)
    labels = label_clusters(texts, part)
    auto = labels[1].name if 1 in labels else f"{theme.label} (part)"
    new = Theme(
        workspace_id=ws,
        label=(" ".join((label or "").split()) or auto)[:200],
        keywords=list(labels[1].terms) if 1 in labels else [],
        pinned=True,
        renamed_by_user=bool(label and label.strip()),
        representative_ids=[i.id for i in moving[:3]],
        status=ACTIVE,
    )
    session.add(new)
    session.flush()
    for item in members:
        item.theme_locked = True
        if item.id in moving_ids:
            item.theme_id = new.id
    if 0 in labels and not theme.renamed_by_user:
        theme.label, theme.keywords = labels[0].name, list(labels[0].terms)
    theme.representative_ids = [r for r in theme.representative_ids if r not in moving_ids]
    theme.pinned = True
    session.flush()
    _audit(session, actor, theme, "split", f"split {len(moving)} items of {theme.label} off")
    return new


def _auto_half(members: list[FeedbackItem], embedder: Embedder) -> list[FeedbackItem]:
    texts = [_text_of(i) for i in members]
    discovery = themes.discover_themes(texts, embedder, n_themes=2, min_size=1)
    counts = Counter(int(a) for a in discovery.assignments)
    if len(counts) < 2:
        half = len(members) // 2
        return members[half:]
    smaller = min(counts, key=lambda c: (counts[c], c))
    return [m for m, a in zip(members, discovery.assignments, strict=True) if int(a) == smaller]


def merge_duplicates(session: Session, *, actor: Actor, group_id: int) -> FeedbackItem:
    """Merge a near-duplicate group into its first item: the others are archived.

    Each archived copy records ``extra["duplicate_of"]``; their tags join the kept item's.

    Returns:
        The kept item.
    """
    ws = actor.workspace_id
    members = list(
        session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.workspace_id == ws, FeedbackItem.duplicate_group == group_id)
            .order_by(FeedbackItem.id)
        )
    )
    if len(members) < 2:
        raise NotFoundError(f"near-duplicate group {group_id} not found")
    keep, *copies = members
    tags = list(keep.tags or [])
    for item in copies:
        tags += [t for t in item.tags or [] if t not in tags]
        item.status = FeedbackStatus.archived.value
        item.extra = {**(item.extra or {}), "duplicate_of": keep.id}
        item.duplicate_group = None
    keep.tags, keep.duplicate_group = tags, None
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="merge",
        object_type="feedback",
        object_id=keep.id,
        summary=f"merged {len(copies)} near-duplicates into item {keep.id}",
    )
    return keep


# --- the job -------------------------------------------------------------------------------


@REGISTRY.register("feedback_analysis", "Find duplicates, sentiment and themes in feedback")
def run_analysis_job(ctx: JobContext) -> dict[str, Any]:
    """Run :func:`analyze_feedback` on the job's workspace."""
    with unit_of_work(ctx.session_factory) as session, workspace_scope(session, ctx.workspace_id):
        result = analyze_feedback(
            session,
            workspace_id=ctx.workspace_id,
            incremental=bool(ctx.params.get("incremental", False)),
            progress=ctx.progress,
        )
    return result.as_dict()
