"""JSON routes of the feedback hub under /api/v1: feedback, companies, people, features, hook.

The minimal feature routes live here until issue 5 gives the catalogue its own ``api.py``.
"""

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, UploadFile, status
from pydantic import BaseModel, Field

from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureCreate, FeatureRead, FeatureUpdate
from producthq.errors import InvalidInputError
from producthq.feedback import (
    customers,
    importers,
    search,
    service,
    similarity,
    theme_api,
    webhooks,
)
from producthq.feedback import highlights as highlighting
from producthq.feedback.models import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    SentimentLabel,
)
from producthq.feedback.schemas import (
    BulkResult,
    CompanyCreate,
    CompanyMerge,
    CompanyPage,
    CompanyRead,
    CompanyUpdate,
    FeedbackBulk,
    FeedbackCreate,
    FeedbackFilter,
    FeedbackPage,
    FeedbackRead,
    FeedbackUpdate,
    HighlightCreate,
    HighlightRead,
    ImportStarted,
    PersonCreate,
    PersonPage,
    PersonRead,
    PersonUpdate,
    WebhookPayload,
    WebhookResult,
    WebhookSecret,
    WebhookStatus,
)
from producthq.jobs import service as jobs
from producthq.web.deps import PUBLIC, AdminDep, CtxDep, EditorDep, SessionDep, ViewerDep

router = APIRouter(prefix="/api/v1", tags=["feedback"])
WS = "/workspaces/{ws}"
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200)]
Search = Annotated[str | None, Query(max_length=200)]


# --- feedback ----------------------------------------------------------------------------


def _feedback_filters(
    source: FeedbackSource | None = None,
    status_: Annotated[FeedbackStatus | None, Query(alias="status")] = None,
    include_archived: bool = False,
    company_id: IdQuery = None,
    person_id: IdQuery = None,
    segment: Search = None,
    theme_id: IdQuery = None,
    sentiment: SentimentLabel | None = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO date or time")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO date or time")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
) -> FeedbackFilter:
    return FeedbackFilter.model_validate(
        {
            "source": source,
            "status": status_,
            "include_archived": include_archived,
            "company_id": company_id,
            "person_id": person_id,
            "segment": segment,
            "theme_id": theme_id,
            "sentiment": sentiment,
            "since": _when(since, "since"),
            "until": _when(until, "until"),
            "tag": tag,
        }
    )


FiltersDep = Annotated[FeedbackFilter, Depends(_feedback_filters)]


@router.get(WS + "/feedback", response_model=FeedbackPage)
def list_feedback(
    access: ViewerDep,
    filters: FiltersDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Keep the items matching this full-text query (newest first; "
            "for them ranked by relevance, with snippets, use /feedback/search).",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FeedbackPage:
    """Feedback, newest first, filtered; archived items only when asked for."""
    rows, total, nxt = service.list_feedback(
        access.session,
        workspace_id=access.workspace.id,
        filters=filters.model_copy(update={"q": q.strip() if q else None}),
        limit=limit,
        cursor=cursor,
    )
    return FeedbackPage(
        items=[FeedbackRead.model_validate(r) for r in rows], total=total, cursor=nxt
    )


class FeedbackHitRead(BaseModel):
    """A search hit: the item, its relevance and a passage with the matches marked."""

    item: FeedbackRead
    rank: float = Field(
        description="Relevance, higher is better (bm25 on SQLite, ts_rank_cd on PostgreSQL, "
        "cosine similarity in mode=similar); compare it within one search only."
    )
    snippet: str = Field(
        description="HTML: a passage of the item, its text escaped, matched words in <mark>."
    )
    snippet_text: str = Field(description="The same passage as plain text.")


class FeedbackSearchPage(BaseModel):
    """One page of search hits, best first."""

    items: list[FeedbackHitRead]
    total: int
    cursor: str | None = Field(description="Pass back as `cursor` for the next page.")
    notes: list[str] = Field(
        description="How the query was read: a quote closed, operators ignored, …"
    )


@router.get(WS + "/feedback/search", response_model=FeedbackSearchPage)
def search_feedback_ranked(
    access: ViewerDep,
    filters: FiltersDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description='Words (all must match, stemmed), "phrases", -excluded, a OR b.',
        ),
    ],
    mode: Annotated[
        Literal["words", "similar"],
        Query(description="words: ranked full-text; similar: closest in meaning to q."),
    ] = "words",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FeedbackSearchPage:
    """Search feedback, most relevant first, combinable with every list filter."""
    ws = access.workspace.id
    if mode == "similar":
        matches = similarity.search_similar(
            access.session, workspace_id=ws, text=q, limit=limit, filters=filters
        )
        hits = [_hit(m.item, m.similarity, search.plain_snippet(m.item.text)) for m in matches]
        return FeedbackSearchPage(items=hits, total=len(hits), cursor=None, notes=[])
    result = search.search_feedback(
        access.session, workspace_id=ws, query=q, filters=filters, limit=limit, cursor=cursor
    )
    return FeedbackSearchPage(
        items=[_hit(h.item, h.rank, h.snippet) for h in result.hits],
        total=result.total,
        cursor=result.cursor,
        notes=list(result.notes),
    )


def _hit(item: FeedbackItem, rank: float, snippet: search.Snippet) -> FeedbackHitRead:
    return FeedbackHitRead(
        item=FeedbackRead.model_validate(item),
        rank=rank,
        snippet=snippet.html,
        snippet_text=snippet.text,
    )


def _when(value: str | None, name: str) -> str | None:
    from producthq.feedback.rows import parse_datetime

    if not value:
        return None
    try:
        return parse_datetime(value).isoformat()
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidInputError.single(
            (name,), f"{name} {value!r} is not a date or time (use ISO 8601)"
        ) from exc


@router.post(WS + "/feedback", response_model=FeedbackRead, status_code=status.HTTP_201_CREATED)
def create_feedback(data: FeedbackCreate, access: EditorDep) -> FeedbackRead:
    """Add one feedback item."""
    item = service.create_feedback(
        access.session, actor=access.actor, workspace_id=access.workspace.id, data=data
    )
    return FeedbackRead.model_validate(item)


@router.post(WS + "/feedback/bulk", response_model=BulkResult)
def bulk_update_feedback(data: FeedbackBulk, access: EditorDep) -> BulkResult:
    """Set the status of, or add and remove tags on, many items at once."""
    return BulkResult(
        updated=service.bulk_update_feedback(access.session, actor=access.actor, data=data)
    )


@router.post(
    WS + "/feedback/imports", response_model=ImportStarted, status_code=status.HTTP_202_ACCEPTED
)
def start_import(
    access: EditorDep,
    ctx: CtxDep,
    file: Annotated[UploadFile, File(description="CSV, JSON Lines, mbox or .eml")],
    kind: Annotated[str, Form(pattern="^(feedback|companies)$")] = "feedback",
    preset: Annotated[str | None, Form(max_length=64)] = None,
    mapping: Annotated[
        str | None, Form(max_length=10000, description='JSON object {"field": "column"}')
    ] = None,
) -> ImportStarted:
    """Upload a file and start an import job; follow it at ``job_url``."""
    overrides = _mapping(mapping)
    path = importers.save_upload(ctx.settings.data_dir, file.filename or "upload.csv", file.file)
    # Check the mapping now, so a wrong column is reported at once rather than by the job.
    try:
        importers.prepare_mapping(
            kind="companies" if kind == "companies" else "feedback",
            path=path,
            filename=importers.original_name(path),
            preset=preset or None,
            overrides=overrides,
        )
    except InvalidInputError:
        path.unlink(missing_ok=True)
        raise
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind="feedback_import",
        params={
            "upload": path.name,
            "kind": kind,
            "preset": preset or None,
            "mapping": overrides,
            "actor_user_id": access.user.id,
            "actor_label": access.actor.label,
        },
    )
    return ImportStarted(
        job_id=job.id, job_url=f"/api/v1/workspaces/{access.workspace.slug}/jobs/{job.id}"
    )


def _mapping(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInputError.single(("mapping",), "mapping is not valid JSON") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInputError.single(("mapping",), 'mapping must be {"field": "column", …}')
    return {k: v for k, v in value.items() if v}


@router.get(WS + "/feedback/{item_id}", response_model=FeedbackRead)
def read_feedback(item_id: IdPath, access: ViewerDep) -> FeedbackRead:
    """One feedback item."""
    return FeedbackRead.model_validate(
        service.get_feedback(access.session, workspace_id=access.workspace.id, item_id=item_id)
    )


@router.patch(WS + "/feedback/{item_id}", response_model=FeedbackRead)
def update_feedback(item_id: IdPath, data: FeedbackUpdate, access: EditorDep) -> FeedbackRead:
    """Change a feedback item's text, status, tags, author or theme."""
    item = service.update_feedback(access.session, actor=access.actor, item_id=item_id, data=data)
    return FeedbackRead.model_validate(item)


@router.post(WS + "/feedback/{item_id}/archive", response_model=FeedbackRead)
def archive_feedback(item_id: IdPath, access: EditorDep) -> FeedbackRead:
    """Archive a feedback item."""
    item = service.archive_feedback(access.session, actor=access.actor, item_id=item_id)
    return FeedbackRead.model_validate(item)


@router.get(WS + "/feedback/{item_id}/highlights", response_model=list[HighlightRead])
def list_highlights(item_id: IdPath, access: ViewerDep) -> list[HighlightRead]:
    """The highlighted passages of an item and the features they link to."""
    service.get_feedback(access.session, workspace_id=access.workspace.id, item_id=item_id)
    rows = highlighting.list_highlights(
        access.session, workspace_id=access.workspace.id, item_id=item_id
    )
    return [HighlightRead.model_validate(h) for h in rows]


@router.post(
    WS + "/feedback/{item_id}/highlights",
    response_model=HighlightRead,
    status_code=status.HTTP_201_CREATED,
)
def create_highlight(item_id: IdPath, data: HighlightCreate, access: EditorDep) -> HighlightRead:
    """Link a passage (by offsets, or by quote) to a feature with an importance."""
    h = highlighting.create_highlight(
        access.session, actor=access.actor, item_id=item_id, data=data
    )
    return HighlightRead.model_validate(h)


@router.delete(
    WS + "/feedback/{item_id}/highlights/{highlight_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_highlight(item_id: IdPath, highlight_id: IdPath, access: EditorDep) -> None:
    """Remove a highlight."""
    highlighting.delete_highlight(
        access.session, actor=access.actor, item_id=item_id, highlight_id=highlight_id
    )


# --- companies and people ----------------------------------------------------------------


@router.get(WS + "/companies", response_model=CompanyPage)
def list_companies(
    access: ViewerDep,
    q: Search = None,
    segment: Search = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CompanyPage:
    """Companies by name, with a search over name and domain."""
    rows, total, nxt = customers.list_companies(
        access.session,
        workspace_id=access.workspace.id,
        q=q,
        segment=segment,
        limit=limit,
        cursor=cursor,
    )
    return CompanyPage(items=[CompanyRead.model_validate(c) for c in rows], total=total, cursor=nxt)


@router.post(WS + "/companies", response_model=CompanyRead, status_code=status.HTTP_201_CREATED)
def create_company(data: CompanyCreate, access: EditorDep) -> CompanyRead:
    """Add a company."""
    company = customers.create_company(
        access.session, actor=access.actor, workspace_id=access.workspace.id, data=data
    )
    return CompanyRead.model_validate(company)


@router.get(WS + "/companies/{company_id}", response_model=CompanyRead)
def read_company(company_id: IdPath, access: ViewerDep) -> CompanyRead:
    """One company."""
    return CompanyRead.model_validate(
        customers.get_company(
            access.session, workspace_id=access.workspace.id, company_id=company_id
        )
    )


@router.patch(WS + "/companies/{company_id}", response_model=CompanyRead)
def update_company(company_id: IdPath, data: CompanyUpdate, access: EditorDep) -> CompanyRead:
    """Change a company's fields."""
    company = customers.update_company(
        access.session, actor=access.actor, company_id=company_id, data=data
    )
    return CompanyRead.model_validate(company)


@router.delete(WS + "/companies/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_company(company_id: IdPath, access: EditorDep) -> None:
    """Delete a company; its people and feedback stay, without a company."""
    customers.delete_company(access.session, actor=access.actor, company_id=company_id)


@router.post(WS + "/companies/{company_id}/merge", response_model=CompanyRead)
def merge_companies(company_id: IdPath, data: CompanyMerge, access: EditorDep) -> CompanyRead:
    """Fold duplicates into this company: their feedback and people move here."""
    company = customers.merge_companies(
        access.session, actor=access.actor, keep_id=company_id, merge_ids=data.merge_ids
    )
    return CompanyRead.model_validate(company)


@router.get(WS + "/people", response_model=PersonPage)
def list_people(
    access: ViewerDep,
    company_id: IdQuery = None,
    q: Search = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PersonPage:
    """People by name, optionally of one company."""
    rows, total, nxt = customers.list_people(
        access.session,
        workspace_id=access.workspace.id,
        company_id=company_id,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return PersonPage(items=[PersonRead.model_validate(p) for p in rows], total=total, cursor=nxt)


@router.post(WS + "/people", response_model=PersonRead, status_code=status.HTTP_201_CREATED)
def create_person(data: PersonCreate, access: EditorDep) -> PersonRead:
    """Add a person."""
    person = customers.create_person(
        access.session, actor=access.actor, workspace_id=access.workspace.id, data=data
    )
    return PersonRead.model_validate(person)


@router.get(WS + "/people/{person_id}", response_model=PersonRead)
def read_person(person_id: IdPath, access: ViewerDep) -> PersonRead:
    """One person."""
    return PersonRead.model_validate(
        customers.get_person(access.session, workspace_id=access.workspace.id, person_id=person_id)
    )


@router.patch(WS + "/people/{person_id}", response_model=PersonRead)
def update_person(person_id: IdPath, data: PersonUpdate, access: EditorDep) -> PersonRead:
    """Change a person's fields."""
    person = customers.update_person(
        access.session, actor=access.actor, person_id=person_id, data=data
    )
    return PersonRead.model_validate(person)


# --- features (minimal; issue 5 moves these to the catalogue's api.py) -------------------


@router.post(WS + "/people/{person_id}/merge", response_model=PersonRead)
def merge_people(person_id: IdPath, data: CompanyMerge, access: EditorDep) -> PersonRead:
    """Fold duplicate people into this one; their feedback moves with them."""
    return PersonRead.model_validate(
        customers.merge_people(
            access.session, actor=access.actor, keep_id=person_id, merge_ids=data.merge_ids
        )
    )


@router.get(WS + "/features", response_model=list[FeatureRead])
def list_features(access: ViewerDep, q: Search = None) -> list[FeatureRead]:
    """Features by title."""
    rows = catalog.list_features(access.session, workspace_id=access.workspace.id, search=q)
    return [FeatureRead.model_validate(f) for f in rows]


@router.post(WS + "/features", response_model=FeatureRead, status_code=status.HTTP_201_CREATED)
def create_feature(data: FeatureCreate, access: EditorDep) -> FeatureRead:
    """Add a feature."""
    return FeatureRead.model_validate(
        catalog.create_feature(access.session, actor=access.actor, data=data)
    )


@router.get(WS + "/features/{feature_id}", response_model=FeatureRead)
def read_feature(feature_id: IdPath, access: ViewerDep) -> FeatureRead:
    """One feature."""
    return FeatureRead.model_validate(
        catalog.get_feature(access.session, workspace_id=access.workspace.id, feature_id=feature_id)
    )


@router.patch(WS + "/features/{feature_id}", response_model=FeatureRead)
def update_feature(feature_id: IdPath, data: FeatureUpdate, access: EditorDep) -> FeatureRead:
    """Change a feature's title, description or status."""
    return FeatureRead.model_validate(
        catalog.update_feature(access.session, actor=access.actor, feature_id=feature_id, data=data)
    )


# --- inbound webhook ---------------------------------------------------------------------


def _hook_url(ctx: CtxDep, slug: str) -> str:
    return f"{ctx.settings.base_url.rstrip('/')}/api/v1/hooks/feedback/{slug}"


@router.get(WS + "/feedback-webhook", response_model=WebhookStatus)
def webhook_status(access: AdminDep, ctx: CtxDep) -> WebhookStatus:
    """Whether the inbound hook has a secret, and its address."""
    hook = webhooks.find_webhook(access.session, workspace_id=access.workspace.id)
    return WebhookStatus(
        configured=hook is not None,
        prefix=hook.prefix if hook else None,
        last_used_at=hook.last_used_at if hook else None,
        url=_hook_url(ctx, access.workspace.slug),
    )


@router.post(WS + "/feedback-webhook/rotate", response_model=WebhookSecret)
def rotate_webhook(access: AdminDep, ctx: CtxDep) -> WebhookSecret:
    """Create or replace the hook's secret; the old one stops working; shown once."""
    hook, secret = webhooks.rotate_webhook_secret(access.session, actor=access.actor)
    return WebhookSecret(
        configured=True,
        prefix=hook.prefix,
        last_used_at=None,
        url=_hook_url(ctx, access.workspace.slug),
        secret=secret,
    )


@router.post(
    "/hooks/feedback/{ws}",
    dependencies=[PUBLIC],
    response_model=WebhookResult,
    status_code=status.HTTP_201_CREATED,
)
def receive_webhook(
    ws: Annotated[str, Path(max_length=64)],
    payload: WebhookPayload,
    session: SessionDep,
    x_producthq_webhook_secret: Annotated[str | None, Header(max_length=200)] = None,
) -> WebhookResult:
    """Receive feedback from another system; authenticated by the workspace's hook secret.

    Send the secret in ``X-ProductHQ-Webhook-Secret``. The route is public (no session or
    token) because the secret is its credential.
    """
    workspace = webhooks.authenticate_webhook(session, slug=ws, secret=x_producthq_webhook_secret)
    session.info["workspace_id"] = workspace.id
    return webhooks.receive_webhook(session, workspace_id=workspace.id, payload=payload)


# Theme routes carry the full /api/v1 path already; add them as routes of this router.
router.routes.extend(theme_api.router.routes)
