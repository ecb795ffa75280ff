"""HTML routes of prioritisation: the ranked table, value-effort scatter and what-if panel."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from producthq.catalog.pages import filter_choices, read_filters
from producthq.errors import ProductHQError
from producthq.prioritization import service
from producthq.prioritization.charts import ScatterPoint, value_effort_chart
from producthq.prioritization.schemas import RankingRead
from producthq.web.deps import ViewerDep, WorkspaceAccess
from producthq.web.render import is_htmx, render_ws

router = APIRouter()
WEIGHT_PREFIX = "w_"


def _weights(request: Request, inputs: list[str]) -> tuple[dict[str, float], str | None]:
    out: dict[str, float] = {}
    for name in inputs:
        text = request.query_params.get(WEIGHT_PREFIX + name, "").strip()[:20]
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            return {}, f"weight of {name} {text!r} is not a number; weights were ignored"
        if value != 1.0:
            out[name] = value
    return out, None


def _chart(ranking: RankingRead, cost: str | None) -> dict[str, Any] | None:
    if cost is None or not ranking.rows:
        return None
    points = []
    for r in ranking.rows:
        effort = r.inputs[cost].median if cost in r.inputs else None
        if effort is None:
            continue
        points.append(ScatterPoint(r.title, effort, r.median * effort, r.rank))
    return value_effort_chart(points, effort_label=cost.replace("_", " "))


def _context(request: Request, access: WorkspaceAccess) -> dict[str, Any]:
    frameworks = {f.slug: f for f in service.list_frameworks()}
    slug = request.query_params.get("framework", "rice")[:32]
    slug = slug if slug in frameworks else "rice"
    info = frameworks[slug]
    names = [str(i["name"]) for i in info.inputs]
    weights, note = _weights(request, names) if info.weights else ({}, None)
    top_text = request.query_params.get("top", "10")
    top = int(top_text) if top_text.isdigit() and 1 <= int(top_text) <= 1000 else 10
    filters, raw, filter_note = read_filters(request)
    ranking = None
    try:
        ranking = service.rank_features(
            access.session,
            workspace_id=access.workspace.id,
            framework=slug,
            filters=filters if raw else None,
            top=top,
            weights=weights,
        )
    except ProductHQError as exc:
        # Bad weights or a filter naming a missing objective: say so, rank everything plainly.
        note, raw = exc.message, {}
        ranking = service.rank_features(
            access.session, workspace_id=access.workspace.id, framework=slug, top=top
        )
    cost = next((str(i["name"]) for i in info.inputs if not i["higher_is_better"]), None)
    query = {**raw, "framework": slug, "top": str(top)}
    return {
        **filter_choices(access),
        "ranking": ranking,
        "framework": info,
        "frameworks": list(frameworks.values()),
        "weights": {n: weights.get(n, 1.0) for n in names},
        "top": top,
        "filters": raw,
        "note": note or filter_note,
        "chart": _chart(ranking, cost),
        "query": urlencode(query),
    }


@router.get("/w/{ws}/features/prioritize", response_class=HTMLResponse)
def prioritize_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The ranked table with intervals and P(top N), the scatter, and the what-if weights."""
    template = "prioritization/_ranking.html" if is_htmx(request) else "prioritization/rank.html"
    return render_ws(request, access, template, _context(request, access))
