"""HTML routes of the theme explorer and the near-duplicate groups (included by ``pages``)."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from producthq.accounts.roles import Role
from producthq.errors import ProductHQError
from producthq.feedback import insight, similarity, theme_charts, theme_report
from producthq.jobs import service as jobs
from producthq.web.deps import EditorDep, ViewerDep
from producthq.web.render import render_ws

router = APIRouter()
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _themes_url(slug: str, theme_id: int | None = None) -> str:
    base = f"/w/{slug}/feedback/themes"
    return f"{base}/{theme_id}" if theme_id else base


@router.get("/w/{ws}/feedback/themes", response_class=HTMLResponse)
def themes_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The theme explorer: every theme with size, trend, revenue and sentiment."""
    summaries = theme_report.list_themes(access.session, workspace_id=access.workspace.id)
    chart = theme_charts.themes_chart([(s.label, s.size, s.trend.direction) for s in summaries])
    return render_ws(
        request,
        access,
        "feedback/themes.html",
        {
            "themes": summaries,
            "chart": chart,
            "can_edit": access.role.allows(Role.editor),
        },
    )


@router.post("/w/{ws}/feedback/themes/analyze")
def analyze_page(
    access: EditorDep, incremental: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    """Start the analysis job and show its page."""
    job = jobs.create_job(
        access.session,
        actor=access.actor,
        workspace_id=access.workspace.id,
        kind="feedback_analysis",
        params={"incremental": incremental == "1"},
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/jobs/{job.id}", status_code=303)


def _detail(request: Request, access: Any, theme_id: int, note: str | None = None) -> HTMLResponse:
    detail = theme_report.theme_detail(
        access.session, workspace_id=access.workspace.id, theme_id=theme_id
    )
    others = [
        s
        for s in theme_report.list_themes(access.session, workspace_id=access.workspace.id)
        if s.id != theme_id
    ]
    return render_ws(
        request,
        access,
        "feedback/theme.html",
        {
            "d": detail,
            "t": detail.summary,
            "others": others,
            "volume_chart": theme_charts.volume_chart(detail.volume),
            "sentiment_chart": theme_charts.sentiment_chart(detail.summary.sentiment),
            "can_edit": access.role.allows(Role.editor),
            "note": note,
        },
        status_code=400 if note else 200,
    )


@router.get("/w/{ws}/feedback/themes/{theme_id}", response_class=HTMLResponse)
def theme_page(request: Request, theme_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One theme: volume over time, trend test, sentiment, companies, segments, quotes."""
    return _detail(request, access, theme_id)


@router.post("/w/{ws}/feedback/themes/{theme_id}/edit", response_class=HTMLResponse)
def edit_theme(
    request: Request,
    theme_id: IdPath,
    access: EditorDep,
    action: Annotated[str, Form(max_length=20)],
    label: Annotated[str, Form(max_length=200)] = "",
    merge_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Rename, pin/unpin, merge another theme in, or split automatically."""
    target = theme_id
    try:
        if action == "rename":
            insight.update_theme(access.session, actor=access.actor, theme_id=theme_id, label=label)
        elif action in ("pin", "unpin"):
            insight.update_theme(
                access.session, actor=access.actor, theme_id=theme_id, pinned=action == "pin"
            )
        elif action == "merge" and merge_id.isdigit():
            insight.merge_themes(
                access.session, actor=access.actor, keep_id=theme_id, merge_ids=[int(merge_id)]
            )
        elif action == "split":
            target = insight.split_theme(access.session, actor=access.actor, theme_id=theme_id).id
        else:
            return _detail(request, access, theme_id, note=f"unknown action {action!r}")
    except ProductHQError as exc:
        return _detail(request, access, theme_id, note=exc.message)
    return RedirectResponse(_themes_url(access.workspace.slug, target), status_code=303)


@router.get("/w/{ws}/feedback/duplicates", response_class=HTMLResponse)
def duplicates_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Near-duplicate groups, each with a button to merge it into its first item."""
    groups: dict[int, list[int]] = {}
    for _ext, item_id, group in theme_report.iter_duplicate_rows(
        access.session, workspace_id=access.workspace.id
    ):
        groups.setdefault(group, []).append(item_id)
    shown = dict(list(groups.items())[:100])
    items = theme_report.items_by_id(
        access.session,
        workspace_id=access.workspace.id,
        ids=[i for ids in shown.values() for i in ids],
    )
    return render_ws(
        request,
        access,
        "feedback/duplicates.html",
        {
            "groups": [(g, [items[i] for i in ids if i in items]) for g, ids in shown.items()],
            "total": len(groups),
            "can_edit": access.role.allows(Role.editor),
        },
    )


@router.post("/w/{ws}/feedback/duplicates/{group_id}/merge")
def merge_duplicates_page(group_id: IdPath, access: EditorDep) -> Response:
    """Merge one near-duplicate group and come back to the list."""
    insight.merge_duplicates(access.session, actor=access.actor, group_id=group_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/duplicates", status_code=303)


@router.get("/w/{ws}/feedback/{item_id}/related", response_class=HTMLResponse)
def related_partial(request: Request, item_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """Similar items and suggested features of one item (an HTMX partial of the item page)."""
    ws = access.workspace.id
    return render_ws(
        request,
        access,
        "feedback/_related.html",
        {
            "item_id": item_id,
            "similar": similarity.similar_items(access.session, workspace_id=ws, item_id=item_id),
            "suggestions": similarity.suggest_features(
                access.session, workspace_id=ws, item_id=item_id
            ),
            "can_edit": access.role.allows(Role.editor),
        },
    )


@router.post("/w/{ws}/feedback/{item_id}/suggestions/{feature_id}/accept")
def accept_suggestion_page(item_id: IdPath, feature_id: IdPath, access: EditorDep) -> Response:
    """Accept a suggested feature in one click: the item is linked to it."""
    similarity.accept_suggestion(
        access.session, actor=access.actor, item_id=item_id, feature_id=feature_id
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item_id}", status_code=303)


@router.post("/w/{ws}/feedback/{item_id}/suggestions/{feature_id}/reject")
def reject_suggestion_page(item_id: IdPath, feature_id: IdPath, access: EditorDep) -> Response:
    """Reject a suggested feature in one click: it is not suggested for the item again."""
    similarity.reject_suggestion(
        access.session, actor=access.actor, item_id=item_id, feature_id=feature_id
    )
    return RedirectResponse(f"/w/{access.workspace.slug}/feedback/{item_id}", status_code=303)
