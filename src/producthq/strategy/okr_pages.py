"""HTML routes of objectives, key results, check-ins (HTMX) and the alignment view."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from producthq.accounts import service as accounts
from producthq.errors import InvalidInputError
from producthq.strategy import okrs
from producthq.strategy.charts import CheckinPoint, MixBar, checkin_chart, investment_chart
from producthq.strategy.models import KeyResult, LinkTarget, MetricKind
from producthq.strategy.pages import (
    BASE,
    IdPath,
    Short,
    Text,
    _attempt,
    _base,
    _opt,
    _page,
    _problem,
    _redirect,
)
from producthq.strategy.progress import Direction
from producthq.strategy.schemas import (
    CheckinCreate,
    InvestmentMix,
    KeyResultCreate,
    LinkCreate,
    ObjectiveCreate,
    ObjectiveUpdate,
)
from producthq.web.deps import EditorDep, ViewerDep, WorkspaceAccess
from producthq.web.render import is_htmx

router = APIRouter()


# --- objectives and key results ----------------------------------------------------------


def _members(access: WorkspaceAccess) -> dict[int, str]:
    members = accounts.list_members(access.session, workspace_id=access.workspace.id)
    return {m.user_id: m.user.name or m.user.email for m in members}


def kr_chart(kr: KeyResult) -> dict[str, Any]:
    """The Vega-Lite spec of a key result's check-ins."""
    points = [CheckinPoint(c.checkin_date, c.value) for c in kr.checkins]
    return checkin_chart(points, baseline=kr.baseline, target=kr.target)


def _okr_common(access: WorkspaceAccess) -> dict[str, Any]:
    return {
        "members": _members(access),
        "progress_kr": okrs.progress_of_key_result,
        "progress_objective": okrs.progress_of_objective,
        "kr_chart": kr_chart,
        "metric_kinds": [k.value for k in MetricKind],
        "directions": [d.value for d in Direction],
        "link_targets": [t.value for t in LinkTarget],
    }


def _objectives(
    request: Request,
    access: WorkspaceAccess,
    period: str | None = None,
    error: str | None = None,
    form: Any = None,
) -> HTMLResponse:
    session, wid = access.session, access.workspace.id
    rows = okrs.list_objectives(session, workspace_id=wid, period=period)
    groups: dict[str, list[Any]] = {}
    for o in rows:
        groups.setdefault(o.period, []).append(o)
    ctx = {
        **_okr_common(access),
        "groups": groups,
        "periods": okrs.list_periods(session, workspace_id=wid),
        "period": period or "",
        "error": error,
        "form": form or {},
        "tab": "objectives",
    }
    return _page(request, access, "strategy/objectives.html", ctx, 422 if error else 200)


@router.get(BASE + "/objectives", response_class=HTMLResponse)
def objectives_page(
    request: Request,
    access: ViewerDep,
    period: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """Objectives grouped by period, with key results, progress, check-ins and charts."""
    return _objectives(request, access, _opt(period or ""))


def _objective_data(
    title: str,
    description: str,
    owner_id: str,
    period: str,
    period_start: str,
    period_end: str,
    confidence: str,
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "owner_id": _opt(owner_id),
        "period": period,
        "period_start": _opt(period_start),
        "period_end": _opt(period_end),
        "confidence": _opt(confidence),
    }


@router.post(BASE + "/objectives", response_class=HTMLResponse)
def objective_create(
    request: Request,
    access: EditorDep,
    title: Short = "",
    description: Text = "",
    owner_id: Short = "",
    period: Short = "",
    period_start: Short = "",
    period_end: Short = "",
    confidence: Short = "",
) -> Response:
    """Create an objective."""
    form = _objective_data(
        title, description, owner_id, period, period_start, period_end, confidence
    )
    failed = _attempt(
        lambda: okrs.create_objective(
            access.session, actor=access.actor, data=ObjectiveCreate.model_validate(form)
        ),
        lambda msg: _objectives(request, access, None, msg, form),
        access,
    )
    return failed or _redirect(_base(access) + "/objectives")


def _objective(
    request: Request, access: WorkspaceAccess, objective_id: int, error: str | None = None
) -> HTMLResponse:
    o = okrs.get_objective(
        access.session, workspace_id=access.workspace.id, objective_id=objective_id
    )
    ctx = {**_okr_common(access), "objective": o, "error": error, "tab": "objectives"}
    return _page(request, access, "strategy/objective.html", ctx, 422 if error else 200)


@router.get(BASE + "/objectives/{objective_id}", response_class=HTMLResponse)
def objective_page(request: Request, objective_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One objective: key results, links, and forms to change them."""
    return _objective(request, access, objective_id)


@router.post(BASE + "/objectives/{objective_id}", response_class=HTMLResponse)
def objective_update(
    request: Request,
    objective_id: IdPath,
    access: EditorDep,
    title: Short = "",
    description: Text = "",
    owner_id: Short = "",
    period: Short = "",
    period_start: Short = "",
    period_end: Short = "",
    confidence: Short = "",
) -> Response:
    """Change an objective."""
    data = _objective_data(
        title, description, owner_id, period, period_start, period_end, confidence
    )
    failed = _attempt(
        lambda: okrs.update_objective(
            access.session,
            actor=access.actor,
            objective_id=objective_id,
            data=ObjectiveUpdate.model_validate(data),
        ),
        lambda msg: _objective(request, access, objective_id, msg),
        access,
    )
    return failed or _redirect(f"{_base(access)}/objectives/{objective_id}")


@router.post(BASE + "/objectives/{objective_id}/delete")
def objective_delete(objective_id: IdPath, access: EditorDep) -> Response:
    """Delete an objective."""
    okrs.delete_objective(access.session, actor=access.actor, objective_id=objective_id)
    return _redirect(_base(access) + "/objectives")


def _binding(metric: str, params: str) -> dict[str, Any] | None:
    if not metric.strip():
        return None
    try:
        parsed = json.loads(params) if params.strip() else {}
    except json.JSONDecodeError as exc:
        raise InvalidInputError.single(("params",), f"params is not JSON: {exc.msg}") from None
    if not isinstance(parsed, dict):
        raise InvalidInputError.single(("params",), "params must be a JSON object")
    return {"metric": metric.strip(), "params": parsed}


@router.post(BASE + "/objectives/{objective_id}/key-results", response_class=HTMLResponse)
def key_result_create(
    request: Request,
    objective_id: IdPath,
    access: EditorDep,
    title: Short = "",
    metric_kind: Short = "number",
    baseline: Short = "",
    target: Short = "",
    current: Short = "",
    direction: Short = "",
    owner_id: Short = "",
    confidence: Short = "",
    metric: Short = "",
    params: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Add a key result to an objective."""

    def create() -> object:
        data = KeyResultCreate.model_validate(
            {
                "title": title,
                "metric_kind": metric_kind,
                "baseline": _opt(baseline),
                "target": _opt(target),
                "current": _opt(current),
                "direction": _opt(direction),
                "owner_id": _opt(owner_id),
                "confidence": _opt(confidence),
                "metric_binding": _binding(metric, params),
            }
        )
        return okrs.create_key_result(
            access.session, actor=access.actor, objective_id=objective_id, data=data
        )

    failed = _attempt(create, lambda msg: _objective(request, access, objective_id, msg), access)
    return failed or _redirect(f"{_base(access)}/objectives/{objective_id}")


@router.post(BASE + "/key-results/{key_result_id}/checkins", response_class=HTMLResponse)
def checkin_create(
    request: Request,
    key_result_id: IdPath,
    access: EditorDep,
    value: Short = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    checkin_date: Short = "",
) -> Response:
    """Check in a value; HTMX gets the key result's refreshed card back."""
    error: str | None = None
    try:
        okrs.add_checkin(
            access.session,
            actor=access.actor,
            key_result_id=key_result_id,
            data=CheckinCreate.model_validate(
                {"value": _opt(value), "note": note, "checkin_date": _opt(checkin_date)}
            ),
        )
    except (ValidationError, InvalidInputError) as exc:
        access.session.rollback()
        error = _problem(exc)
    kr = okrs.get_key_result(
        access.session, workspace_id=access.workspace.id, key_result_id=key_result_id
    )
    if is_htmx(request):
        # HTMX swaps only 2xx answers, so a rejected check-in comes back as 200 with its message.
        ctx = {**_okr_common(access), "kr": kr, "kr_error": error}
        return _page(request, access, "strategy/_key_result.html", ctx)
    if error:
        return _objective(request, access, kr.objective_id, error)
    return _redirect(f"{_base(access)}/objectives/{kr.objective_id}")


@router.post(BASE + "/key-results/{key_result_id}/delete")
def key_result_delete(key_result_id: IdPath, access: EditorDep) -> Response:
    """Delete a key result."""
    kr = okrs.get_key_result(
        access.session, workspace_id=access.workspace.id, key_result_id=key_result_id
    )
    objective_id = kr.objective_id
    okrs.delete_key_result(access.session, actor=access.actor, key_result_id=key_result_id)
    return _redirect(f"{_base(access)}/objectives/{objective_id}")


# --- alignment ---------------------------------------------------------------------------


@router.post(BASE + "/objectives/{objective_id}/links", response_class=HTMLResponse)
def link_create(
    request: Request,
    objective_id: IdPath,
    access: EditorDep,
    target_type: Short = "",
    target_id: Short = "",
    title: Short = "",
    effort: Short = "0",
) -> Response:
    """Link a feature or roadmap item to an objective."""
    form = {
        "target_type": target_type,
        "target_id": _opt(target_id),
        "title": title,
        "effort": _opt(effort) or 0,
    }
    failed = _attempt(
        lambda: okrs.link_objective(
            access.session,
            actor=access.actor,
            objective_id=objective_id,
            data=LinkCreate.model_validate(form),
        ),
        lambda msg: _objective(request, access, objective_id, msg),
        access,
    )
    return failed or _redirect(f"{_base(access)}/objectives/{objective_id}")


@router.post(BASE + "/objectives/{objective_id}/links/{objective_link_id}/delete")
def link_delete(objective_id: IdPath, objective_link_id: IdPath, access: EditorDep) -> Response:
    """Unlink an item from an objective."""
    okrs.unlink_objective(
        access.session, actor=access.actor, objective_id=objective_id, link_id=objective_link_id
    )
    return _redirect(f"{_base(access)}/objectives/{objective_id}")


def _alignment(
    request: Request,
    access: WorkspaceAccess,
    period: str | None,
    error: str | None = None,
    entered: dict[int, str] | None = None,
) -> HTMLResponse:
    session, wid = access.session, access.workspace.id
    periods = okrs.list_periods(session, workspace_id=wid)
    chosen = period or (periods[-1].label if periods else None)
    lines = okrs.investment_of(session, workspace_id=wid, period=chosen) if chosen else []
    bars = [MixBar(ln.objective.title, ln.target_pct, ln.planned_pct) for ln in lines]
    ctx = {
        "periods": periods,
        "period": chosen,
        "lines": lines,
        "chart": investment_chart(bars) if lines else None,
        "error": error,
        "entered": entered or {},
        "tab": "alignment",
    }
    return _page(request, access, "strategy/alignment.html", ctx, 422 if error else 200)


@router.get(BASE + "/alignment", response_class=HTMLResponse)
def alignment_page(
    request: Request,
    access: ViewerDep,
    period: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """Per objective: linked items, and the target investment mix vs the effort planned."""
    return _alignment(request, access, _opt(period or ""))


@router.post(BASE + "/alignment/mix", response_class=HTMLResponse)
def alignment_mix(
    request: Request,
    access: EditorDep,
    period: Short = "",
    objective_id: Annotated[list[int] | None, Form()] = None,
    percent: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Set the target investment mix of a period (percentages adding up to 100)."""
    ids, pcts = objective_id or [], percent or []
    if len(ids) != len(pcts):
        raise InvalidInputError.single(("percent",), "give one percentage per objective")
    entered = dict(zip(ids, pcts, strict=True))
    items = [{"objective_id": i, "percent": _opt(p) or 0} for i, p in zip(ids, pcts, strict=True)]
    failed = _attempt(
        lambda: okrs.set_investment_mix(
            access.session,
            actor=access.actor,
            data=InvestmentMix.model_validate({"period": period, "items": items}),
        ),
        lambda msg: _alignment(request, access, _opt(period), msg, entered),
        access,
    )
    return failed or _redirect(f"{_base(access)}/alignment?period={period}")
