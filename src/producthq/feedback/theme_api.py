"""JSON routes of themes and the analysis job under /api/v1 (included by ``feedback.api``)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from producthq.feedback import insight, similarity, theme_report
from producthq.feedback.schemas import (
    AnalysisStart,
    FeedbackRead,
    HighlightRead,
    ImportStarted,
    SimilarRead,
    SuggestionRead,
    ThemeDetailRead,
    ThemeMerge,
    ThemeRead,
    ThemeSplit,
    ThemeUpdate,
    TrendRead,
    WeekVolumeRead,
)
from producthq.feedback.theme_report import ThemeDetail, ThemeSummary
from producthq.jobs import service as jobs
from producthq.web.deps import EditorDep, ViewerDep

router = APIRouter(prefix="/api/v1", tags=["feedback"])
WS = "/workspaces/{ws}"
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def theme_read(s: ThemeSummary) -> ThemeRead:
    """Shape a theme summary for JSON."""
    return ThemeRead(
        id=s.id,
        label=s.label,
        keywords=s.keywords,
        pinned=s.pinned,
        renamed_by_user=s.renamed_by_user,
        status=s.status,
        merged_into_id=s.merged_into_id,
        size=s.size,
        companies=s.companies,
        arr=s.arr,
        sentiment=s.sentiment,
        trend=TrendRead(
            direction=s.trend.direction,
            tau=s.trend.tau,
            p_value=s.trend.p_value,
            weeks=s.trend.weeks,
        ),
    )


def detail_read(d: ThemeDetail) -> ThemeDetailRead:
    """Shape a theme's detail for JSON."""
    return ThemeDetailRead(
        **theme_read(d.summary).model_dump(),
        volume=[
            WeekVolumeRead(week=v.week.isoformat(), count=v.count, total=v.total) for v in d.volume
        ],
        top_companies=[c.__dict__ for c in d.top_companies],
        segments=[s.__dict__ for s in d.segments],
        quotes=[FeedbackRead.model_validate(q) for q in d.quotes],
    )


@router.get(WS + "/themes", response_model=list[ThemeRead])
def list_themes(
    access: ViewerDep, include_retired: Annotated[bool, Query()] = False
) -> list[ThemeRead]:
    """The themes with size, companies, ARR, sentiment mix and trend, largest first."""
    return [
        theme_read(s)
        for s in theme_report.list_themes(
            access.session, workspace_id=access.workspace.id, include_retired=include_retired
        )
    ]


@router.get(WS + "/themes/{theme_id}", response_model=ThemeDetailRead)
def read_theme(theme_id: IdPath, access: ViewerDep) -> ThemeDetailRead:
    """One theme with its weekly volume, trend test, companies, segments and quotes."""
    return detail_read(
        theme_report.theme_detail(
            access.session, workspace_id=access.workspace.id, theme_id=theme_id
        )
    )


@router.patch(WS + "/themes/{theme_id}", response_model=ThemeDetailRead)
def update_theme(theme_id: IdPath, data: ThemeUpdate, access: EditorDep) -> ThemeDetailRead:
    """Rename and/or pin a theme."""
    insight.update_theme(
        access.session, actor=access.actor, theme_id=theme_id, label=data.label, pinned=data.pinned
    )
    return read_theme(theme_id, access)


@router.post(WS + "/themes/{theme_id}/merge", response_model=ThemeDetailRead)
def merge_themes(theme_id: IdPath, data: ThemeMerge, access: EditorDep) -> ThemeDetailRead:
    """Merge other themes into this one; their items stay here across re-runs."""
    insight.merge_themes(
        access.session, actor=access.actor, keep_id=theme_id, merge_ids=data.merge_ids
    )
    return read_theme(theme_id, access)


@router.post(
    WS + "/themes/{theme_id}/split",
    response_model=ThemeDetailRead,
    status_code=status.HTTP_201_CREATED,
)
def split_theme(theme_id: IdPath, data: ThemeSplit, access: EditorDep) -> ThemeDetailRead:
    """Split items off into a new theme; answers with the new theme."""
    new = insight.split_theme(
        access.session,
        actor=access.actor,
        theme_id=theme_id,
        item_ids=data.item_ids,
        label=data.label,
    )
    return read_theme(new.id, access)


@router.post(WS + "/feedback/duplicates/{group_id}/merge", response_model=FeedbackRead)
def merge_duplicates(group_id: IdPath, access: EditorDep) -> FeedbackRead:
    """Merge a near-duplicate group into its first item (the others are archived)."""
    return FeedbackRead.model_validate(
        insight.merge_duplicates(access.session, actor=access.actor, group_id=group_id)
    )


@router.post(
    WS + "/feedback/analysis", response_model=ImportStarted, status_code=status.HTTP_202_ACCEPTED
)
def start_analysis(access: EditorDep, data: AnalysisStart | None = None) -> ImportStarted:
    """Start a job that finds near-duplicates, sentiment and themes; follow it at ``job_url``."""
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind="feedback_analysis",
        params={"incremental": bool(data and data.incremental)},
    )
    return ImportStarted(
        job_id=job.id, job_url=f"/api/v1/workspaces/{access.workspace.slug}/jobs/{job.id}"
    )


# --- similar items, semantic search, feature suggestions ---------------------------------


@router.get(WS + "/feedback-search", response_model=list[SimilarRead])
def search_feedback(
    access: ViewerDep,
    text: Annotated[str, Query(min_length=1, max_length=2000)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[SimilarRead]:
    """Semantic search: the items closest in meaning to ``text``, best first."""
    matches = similarity.search_similar(
        access.session, workspace_id=access.workspace.id, text=text, limit=limit
    )
    return [
        SimilarRead(item=FeedbackRead.model_validate(m.item), similarity=m.similarity)
        for m in matches
    ]


@router.get(WS + "/feedback/{item_id}/similar", response_model=list[SimilarRead])
def similar_feedback(item_id: IdPath, access: ViewerDep) -> list[SimilarRead]:
    """Find feedback like this item."""
    matches = similarity.similar_items(
        access.session, workspace_id=access.workspace.id, item_id=item_id
    )
    return [
        SimilarRead(item=FeedbackRead.model_validate(m.item), similarity=m.similarity)
        for m in matches
    ]


@router.get(WS + "/feedback/{item_id}/suggestions", response_model=list[SuggestionRead])
def feature_suggestions(item_id: IdPath, access: ViewerDep) -> list[SuggestionRead]:
    """The features this item most likely belongs to (nearest linked neighbours)."""
    found = similarity.suggest_features(
        access.session, workspace_id=access.workspace.id, item_id=item_id
    )
    return [
        SuggestionRead(
            feature_id=s.feature_id, title=s.title, score=s.score, because_of=list(s.because_of)
        )
        for s in found
    ]


@router.post(
    WS + "/feedback/{item_id}/suggestions/{feature_id}/accept",
    response_model=HighlightRead,
    status_code=status.HTTP_201_CREATED,
)
def accept_suggestion(item_id: IdPath, feature_id: IdPath, access: EditorDep) -> HighlightRead:
    """Accept a suggestion: the whole item is linked to the feature."""
    return HighlightRead.model_validate(
        similarity.accept_suggestion(
            access.session, actor=access.actor, item_id=item_id, feature_id=feature_id
        )
    )


@router.post(
    WS + "/feedback/{item_id}/suggestions/{feature_id}/reject", response_model=FeedbackRead
)
def reject_suggestion(item_id: IdPath, feature_id: IdPath, access: EditorDep) -> FeedbackRead:
    """Reject a suggestion: the feature is not suggested for this item again."""
    return FeedbackRead.model_validate(
        similarity.reject_suggestion(
            access.session, actor=access.actor, item_id=item_id, feature_id=feature_id
        )
    )
