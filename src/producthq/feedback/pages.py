"""HTML routes of the feedback hub: inbox, item, companies, import and the inbound hook."""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.catalog import service as catalog
from producthq.catalog.schemas import FeatureCreate
from producthq.errors import InvalidInputError, NotFoundError, ProductHQError
from producthq.feedback import customers, import_pages, search, service, similarity, theme_pages
from producthq.feedback import highlights as highlighting
from producthq.feedback.models import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Highlight,
    Importance,
    SentimentLabel,
)
from producthq.feedback.rows import parse_datetime
from producthq.feedback.schemas import (
    CompanyMerge,
    FeedbackBulk,
    FeedbackCreate,
    FeedbackFilter,
    FeedbackUpdate,
    HighlightCreate,
)
from producthq.web.deps import EditorDep, ViewerDep, WorkspaceAccess
from producthq.web.render import is_htmx, render_ws

router = APIRouter()
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormStr = Annotated[str, Form(max_length=400)]
OptForm = Annotated[str, Form(max_length=400)]
PAGE = 50


def _problem(exc: ValidationError | ProductHQError) -> str:
    if isinstance(exc, ProductHQError):
        return exc.message
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg"))


# --- inbox -------------------------------------------------------------------------------

FILTER_KEYS = (
    "source",
    "status",
    "company_id",
    "segment",
    "sentiment",
    "theme_id",
    "since",
    "until",
    "q",
    "mode",
    "like",
)
SEARCH_MODES = {"words": "Words (ranked full-text)", "similar": "Meaning (feedback like this)"}


def _filters(request: Request) -> tuple[FeedbackFilter, dict[str, str], str | None]:
    """Read the inbox filters from the query string; a bad value is dropped with a note."""
    raw = {k: request.query_params.get(k, "").strip()[:200] for k in FILTER_KEYS}
    raw = {k: v for k, v in raw.items() if v}
    note = None
    if raw.get("mode") not in (None, *SEARCH_MODES):
        note = f"search mode {raw.pop('mode')!r} is unknown; words were searched"
    if "like" in raw and not (raw["like"].isdigit() and 0 < int(raw["like"]) < 2**31):
        note = f"like {raw.pop('like')!r} is not an item number; it was ignored"
    values: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("mode", "like")}
    for key in ("since", "until"):
        if key in values:
            try:
                values[key] = parse_datetime(values[key])
            except (ValueError, OverflowError, OSError):
                note = f"{key} {values.pop(key)!r} is not a date; it was ignored"
    try:
        filters = FeedbackFilter.model_validate(values)
    except ValidationError as exc:
        note = f"a filter was ignored ({_problem(exc)})"
        filters = FeedbackFilter()
        raw = {}
    return filters, raw, note


@dataclass
class _Listing:
    """What the inbox shows: a page of items, newest first, or of search hits, best first."""

    rows: list[FeedbackItem]
    total: int
    cursor: str | None = None
    snippets: dict[int, Markup] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    like: FeedbackItem | None = None


def _listing(
    access: WorkspaceAccess, filters: FeedbackFilter, raw: dict[str, str], cursor: str | None
) -> _Listing:
    session, ws = access.session, access.workspace.id
    if raw.get("like"):
        item = service.get_feedback(session, workspace_id=ws, item_id=int(raw["like"]))
        found = similarity.similar_items(
            session, workspace_id=ws, item_id=item.id, limit=PAGE, filters=filters
        )
        return _similar_listing(found, like=item)
    if filters.q and raw.get("mode") == "similar":
        found = similarity.search_similar(
            session, workspace_id=ws, text=filters.q, limit=PAGE, filters=filters
        )
        return _similar_listing(found)
    if filters.q:
        result = search.search_feedback(
            session, workspace_id=ws, query=filters.q, filters=filters, limit=PAGE, cursor=cursor
        )
        return _Listing(
            [h.item for h in result.hits],
            result.total,
            result.cursor,
            # The snippet is HTML built by search.py: the item's text escaped, then marked.
            snippets={h.item.id: Markup(h.snippet.html) for h in result.hits},  # noqa: S704
            scores={h.item.id: h.rank for h in result.hits},
            notes=list(result.notes),
        )
    rows, total, nxt = service.list_feedback(
        session, workspace_id=ws, filters=filters, limit=PAGE, cursor=cursor
    )
    return _Listing(rows, total, nxt)


def _similar_listing(found: list[similarity.Match], like: FeedbackItem | None = None) -> _Listing:
    return _Listing(
        [m.item for m in found],
        len(found),
        scores={m.item.id: m.similarity for m in found},
        like=like,
    )


def _inbox_context(request: Request, access: WorkspaceAccess) -> dict[str, Any]:
    filters, raw, note = _filters(request)
    cursor = request.query_params.get("cursor") or None
    try:
        listing = _listing(access, filters, raw, cursor)
    except InvalidInputError:  # a stale or hand-edited cursor: start from the first page
        listing = _listing(access, filters, raw, None)
    rows, nxt = listing.rows, listing.cursor
    people, companies = service.authors_of(
        access.session, workspace_id=access.workspace.id, items=rows
    )
    notes = [n for n in (note, *listing.notes) if n]
    return {
        "items": rows,
        "people": people,
        "companies": companies,
        "themes": service.list_theme_choices(access.session, workspace_id=access.workspace.id),
        "total": listing.total,
        "snippets": listing.snippets,
        "scores": listing.scores,
        "like": listing.like,
        "ranked": bool(listing.scores) or bool(filters.q) or listing.like is not None,
        "search_modes": SEARCH_MODES,
        "next_query": urlencode({**raw, "cursor": nxt}) if nxt else None,
        "filters": raw,
        "query": urlencode(raw),
        "note": "; ".join(notes) or None,
        "sources": [s.value for s in FeedbackSource],
        "statuses": [s.value for s in FeedbackStatus],
        "sentiments": [s.value for s in SentimentLabel],
        "can_edit": access.role.allows(Role.editor),
    }


@router.get("/w/{ws}/feedback", response_class=HTMLResponse)
def inbox(request: Request, access: ViewerDep) -> HTMLResponse:
    """The feedback inbox: filters as GET parameters; HTMX gets the table partial."""
    template = "feedback/_inbox.html" if is_htmx(request) else "feedback/inbox.html"
    return render_ws(request, access, template, _inbox_context(request, access))


def _back(slug: str, query: str) -> str:
    # Only a query string of our own filters goes back into the Location header.
    clean = re.sub(r"[^A-Za-z0-9_.~%&=+-]", "", query)
    return f"/w/{slug}/feedback" + (f"?{clean}" if clean else "")


@router.post("/w/{ws}/feedback/bulk")
def bulk_action(
    request: Request,
    access: EditorDep,
    action: Annotated[str, Form(max_length=40)],
    ids: Annotated[list[int] | None, Form()] = None,
    tag: Annotated[str, Form(max_length=64)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Apply a status or a tag to the items ticked in the inbox."""
    try:
        data = FeedbackBulk(
            ids=ids or [],
            status=FeedbackStatus(action) if action in FeedbackStatus.__members__ else None,
            add_tags=[tag] if action == "add_tag" and tag.strip() else [],
            remove_tags=[tag] if action == "remove_tag" and tag.strip() else [],
        )
    except ValidationError as exc:
        raise InvalidInputError.single(("ids",), "tick at least one item first") from exc
    service.bulk_update_feedback(access.session, actor=access.actor, data=data)
    return RedirectResponse(_back(access.workspace.slug, query), status_code=303)


@router.post("/w/{ws}/feedback/new")
def create_feedback_page(
    request: Request,
    access: EditorDep,
    text: Annotated[str, Form(max_length=100_000)],
    source: Annotated[str, Form(max_length=40)] = "manual",
    author_email: Annotated[str, Form(max_length=320)] = "",
    company_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Add a feedback item by hand."""
    try:
        data = FeedbackCreate(
            text=text,
            source=FeedbackSource(source) if source in FeedbackSource.__members__ else "manual",
            author_email=author_email.strip() or None,
            company_id=int(company_id) if company_id.strip().isdigit() else None,
        )
    except ValidationError as exc:
        raise InvalidInputError.single(("text",), _problem(exc)) from exc
    item = service.create_feedback(
        access.session, actor=access.actor, workspace_id=access.workspace.id, data=data
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item.id}", status_code=303)


# Import and webhook pages come before /feedback/{item_id}, which would shadow them.
router.include_router(import_pages.router)
router.include_router(theme_pages.router)


# --- one item ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of an item's text, inside highlights or not (rendered escaped)."""

    text: str
    highlights: tuple[Highlight, ...]


def segments(text: str, highlights: list[Highlight]) -> list[Segment]:
    """Cut a text at every highlight boundary, so overlapping highlights render as marks."""
    cuts = {0, len(text)}
    for h in highlights:
        cuts |= {max(0, min(len(text), h.start_offset)), max(0, min(len(text), h.end_offset))}
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        covering = tuple(h for h in highlights if h.start_offset <= a and h.end_offset >= b)
        out.append(Segment(text[a:b], covering))
    return out


def _item_page(
    request: Request,
    access: WorkspaceAccess,
    item_id: int,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    ws = access.workspace.id
    item = service.get_feedback(access.session, workspace_id=ws, item_id=item_id)
    highlights = highlighting.list_highlights(access.session, workspace_id=ws, item_id=item.id)
    people, companies = service.authors_of(access.session, workspace_id=ws, items=[item])
    features = catalog.list_features(access.session, workspace_id=ws, limit=500)
    return render_ws(
        request,
        access,
        "feedback/item.html",
        {
            "item": item,
            "person": people.get(item.person_id or 0),
            "company": companies.get(item.company_id or 0),
            "highlights": highlights,
            "segments": segments(item.text, highlights),
            "features": features,
            "feature_titles": {f.id: f.title for f in features},
            "importances": [i.value for i in Importance],
            "statuses": [s.value for s in FeedbackStatus],
            "can_edit": access.role.allows(Role.editor),
            "safe_url": _safe_url(item),
            **extra,
        },
        status_code=status_code,
    )


def _safe_url(item: FeedbackItem) -> str | None:
    url = item.source_url or ""
    return url if url.lower().startswith(("http://", "https://")) else None


@router.get("/w/{ws}/feedback/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One feedback item: text with its highlights, metadata and the highlight form."""
    return _item_page(request, access, item_id)


@router.post("/w/{ws}/feedback/{item_id}/status")
def item_status(
    item_id: IdPath, access: EditorDep, status: Annotated[str, Form(max_length=20)]
) -> Response:
    """Change an item's status (archive it, mark it triaged …)."""
    if status not in FeedbackStatus.__members__:
        raise InvalidInputError.single(("status",), f"unknown status {status!r}")
    service.update_feedback(
        access.session,
        actor=access.actor,
        item_id=item_id,
        data=FeedbackUpdate(status=FeedbackStatus(status)),
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item_id}", status_code=303)


@router.post("/w/{ws}/feedback/{item_id}/highlights", response_class=HTMLResponse)
def add_highlight(
    request: Request,
    item_id: IdPath,
    access: EditorDep,
    feature_id: Annotated[str, Form(max_length=12)] = "",
    new_feature: Annotated[str, Form(max_length=300)] = "",
    start: Annotated[str, Form(max_length=12)] = "",
    end: Annotated[str, Form(max_length=12)] = "",
    quote: Annotated[str, Form(max_length=100_000)] = "",
    importance: Annotated[str, Form(max_length=20)] = "nice",
) -> Response:
    """Highlight a passage (offsets, or a pasted quote) and link it to a feature."""
    session = access.session
    try:
        service.get_feedback(session, workspace_id=access.workspace.id, item_id=item_id)
        if new_feature.strip():
            fid = catalog.create_feature(
                session, actor=access.actor, data=FeatureCreate(title=new_feature)
            ).id
        elif feature_id.strip().isdigit():
            fid = int(feature_id)
        else:
            raise InvalidInputError.single(("feature_id",), "choose a feature or name a new one")
        data = HighlightCreate(
            feature_id=fid,
            start=int(start) if start.strip().isdigit() else None,
            end=int(end) if end.strip().isdigit() else None,
            quote=quote or None,
            importance=Importance(importance) if importance in Importance.__members__ else "nice",
        )
        highlighting.create_highlight(session, actor=access.actor, item_id=item_id, data=data)
    except NotFoundError:
        raise
    except (ValidationError, ProductHQError) as exc:
        session.rollback()
        form = {"start": start, "end": end, "quote": quote, "feature_id": feature_id}
        return _item_page(request, access, item_id, 422, error=_problem(exc), form=form)
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item_id}", status_code=303)


@router.post("/w/{ws}/feedback/{item_id}/highlights/{highlight_id}/delete")
def remove_highlight(item_id: IdPath, highlight_id: IdPath, access: EditorDep) -> Response:
    """Remove a highlight."""
    highlighting.delete_highlight(
        access.session, actor=access.actor, item_id=item_id, highlight_id=highlight_id
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item_id}", status_code=303)


# --- companies ---------------------------------------------------------------------------


@router.get("/w/{ws}/companies", response_class=HTMLResponse)
def companies_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Companies, searchable by name or domain."""
    q = request.query_params.get("q", "")[:200].strip() or None
    cursor = request.query_params.get("cursor") or None
    try:
        rows, total, nxt = customers.list_companies(
            access.session, workspace_id=access.workspace.id, q=q, limit=PAGE, cursor=cursor
        )
    except InvalidInputError:
        rows, total, nxt = customers.list_companies(
            access.session, workspace_id=access.workspace.id, q=q, limit=PAGE
        )
    counts = customers.company_feedback_counts(
        access.session, workspace_id=access.workspace.id, company_ids=[c.id for c in rows]
    )
    return render_ws(
        request,
        access,
        "feedback/companies.html",
        {
            "companies": rows,
            "counts": counts,
            "total": total,
            "q": q or "",
            "next_query": urlencode({"q": q or "", "cursor": nxt}) if nxt else None,
            "can_edit": access.role.allows(Role.editor),
        },
    )


def _company_page(
    request: Request, access: WorkspaceAccess, company_id: int, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    ws = access.workspace.id
    company = customers.get_company(access.session, workspace_id=ws, company_id=company_id)
    items, total, _ = service.list_feedback(
        access.session,
        workspace_id=ws,
        filters=FeedbackFilter(company_id=company.id, include_archived=True),
        limit=500,
    )
    people, _total, _ = customers.list_people(
        access.session, workspace_id=ws, company_id=company.id, limit=200
    )
    candidates = [
        c
        for c in customers.list_companies(
            access.session, workspace_id=ws, q=company.name.split()[0] if company.name else None
        )[0]
        if c.id != company.id
    ]
    return render_ws(
        request,
        access,
        "feedback/company.html",
        {
            "company": company,
            "items": items,
            "total": total,
            "people": people,
            "person_by_id": {p.id: p for p in people},
            "candidates": candidates,
            "can_edit": access.role.allows(Role.editor),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/w/{ws}/companies/{company_id}", response_class=HTMLResponse)
def company_page(request: Request, company_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One company: its details, people and every piece of its feedback."""
    return _company_page(request, access, company_id)


@router.post("/w/{ws}/companies/{company_id}/merge", response_class=HTMLResponse)
def merge_page(
    request: Request,
    company_id: IdPath,
    access: EditorDep,
    merge_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Fold the chosen duplicates into this company."""
    try:
        data = CompanyMerge(merge_ids=merge_ids or [])
        customers.merge_companies(
            access.session, actor=access.actor, keep_id=company_id, merge_ids=data.merge_ids
        )
    except NotFoundError:
        raise
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _company_page(request, access, company_id, 422, error=_problem(exc))
    return RedirectResponse(f"/w/{access.workspace.slug}/companies/{company_id}", status_code=303)
