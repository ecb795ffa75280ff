"""HTML routes of the optimiser's saved scenarios: build, import, run, explain, compare, apply."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.errors import InvalidInputError, ProductHQError
from producthq.jobs import service as jobs
from producthq.roadmap import planning
from producthq.roadmap.models import RoadmapScenario
from producthq.roadmap.pages import opt_float, opt_int, problem_text
from producthq.roadmap.scenario import parse_json
from producthq.roadmap.schemas import ScenarioCreate
from producthq.web.deps import EditorDep, IdPath, ViewerDep
from producthq.web.render import is_htmx, render_ws

router = APIRouter()
Short = Annotated[str, Form(max_length=300)]
MAX_UPLOAD = 20 * 1024 * 1024  # a 2,000-feature scenario is about 0.5 MB


def _scenarios_page(
    request: Request, access: ViewerDep, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    return render_ws(
        request,
        access,
        "roadmap/scenarios.html",
        {
            "tab": "scenarios",
            "scenarios": planning.list_scenarios(access.session, workspace_id=access.workspace.id),
            "can_edit": access.role.allows(Role.editor),
            "error": None,
            "problems": [],
            **extra,
        },
        status_code=status_code,
    )


def _done(access: EditorDep, page: str) -> Response:
    return RedirectResponse(f"/w/{access.workspace.slug}/roadmap/{page}", status_code=303)


@router.get("/w/{ws}/roadmap/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """Saved optimiser scenarios: build, import, run, compare, apply."""
    return _scenarios_page(request, access)


@router.post("/w/{ws}/roadmap/scenarios", response_class=HTMLResponse)
def create_scenario_page(
    request: Request, access: EditorDep, name: Short, capacity_percent: Short = "100"
) -> Response:
    """Build a scenario from the workspace and save it."""
    try:
        data = ScenarioCreate.model_validate(
            {
                "name": name.strip(),
                "capacity_percent": opt_float(capacity_percent, "capacity_percent") or 100.0,
            }
        )
        row = planning.create_scenario(access.session, actor=access.actor, data=data)
    except (ValidationError, ProductHQError) as exc:
        access.session.rollback()
        return _scenarios_page(request, access, 422, error=problem_text(exc))
    return _done(access, f"scenarios/{row.id}")


@router.post("/w/{ws}/roadmap/scenarios/import", response_class=HTMLResponse)
def import_scenario_page(
    request: Request,
    access: EditorDep,
    file: Annotated[UploadFile, File()],
    name: Short = "",
) -> Response:
    """Save a scenario file in the optimiser's JSON format, validated first."""
    source = (file.filename or "scenario.json")[:200]
    raw = file.file.read(MAX_UPLOAD + 1)
    try:
        if len(raw) > MAX_UPLOAD:
            raise InvalidInputError.single(
                (source,), f"{source} is larger than {MAX_UPLOAD // 1024 // 1024} MB"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError.single((source,), f"{source} is not UTF-8 text") from None
        row = planning.import_scenario(
            access.session,
            actor=access.actor,
            doc=parse_json(text, source),
            name=name.strip() or None,
            source=source,
        )
    except InvalidInputError as exc:
        access.session.rollback()
        problems = [p.message for p in exc.details] or [exc.message]
        return _scenarios_page(request, access, 422, error=exc.message, problems=problems)
    return _done(access, f"scenarios/{row.id}")


def _capacities(row: RoadmapScenario) -> dict[str, list[float]]:
    periods = row.scenario.get("periods", [])
    out = {}
    for t in row.scenario.get("teams", []):
        cap = t.get("capacity", 0)
        out[str(t["id"])] = (
            [float(c) for c in cap] if isinstance(cap, list) else [cap] * len(periods)
        )
    return out


@router.get("/w/{ws}/roadmap/scenarios/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, access: ViewerDep, a: str | None = None, b: str | None = None
) -> HTMLResponse:
    """Two scenarios side by side: capacity per team, value, and each item's place."""
    try:
        a_id, b_id = opt_int(a, "a"), opt_int(b, "b")
        if a_id is None or b_id is None:
            raise InvalidInputError.single(("a",), "choose two scenarios to compare")
        row_a, row_b, comparison = planning.compare_scenarios(
            access.session, workspace_id=access.workspace.id, a_id=a_id, b_id=b_id
        )
    except ProductHQError as exc:
        return _scenarios_page(request, access, 422, error=exc.message)
    names = {f["id"]: f.get("name") or f["id"] for f in row_a.scenario.get("features", [])}
    names |= {f["id"]: f.get("name") or f["id"] for f in row_b.scenario.get("features", [])}
    cap_a, cap_b = _capacities(row_a), _capacities(row_b)
    team_names = {t["id"]: t.get("name") or t["id"] for t in row_a.scenario.get("teams", [])}
    team_names |= {t["id"]: t.get("name") or t["id"] for t in row_b.scenario.get("teams", [])}
    capacity = [
        (team_names[t], sum(cap_a.get(t, [])), sum(cap_b.get(t, [])))
        for t in sorted(team_names, key=lambda t: team_names[t].lower())
    ]
    order = {"only_a": 0, "only_b": 1, "moved": 2, "same": 3, "neither": 4}
    rows = sorted(comparison.features, key=lambda f: order[f.change])
    counts = {k: sum(f.change == k for f in rows) for k in order}
    return render_ws(
        request,
        access,
        "roadmap/compare.html",
        {
            "tab": "scenarios",
            "a": row_a,
            "b": row_b,
            "comparison": comparison,
            "rows": rows,
            "counts": counts,
            "capacity": capacity,
            "names": names,
        },
    )


def _usage_grid(row: RoadmapScenario, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per team: per period the capacity, what the plan uses, and the marginal value."""
    periods = row.scenario.get("periods", [])
    used = {(u["team"], u["period"]): u["used"] for u in plan.get("usage", [])}
    explanation = plan.get("explanation") or {}
    margin = {(m["team"], m["period"]): m for m in explanation.get("marginal_values", [])}
    binding = {(b["team"], b["period"]) for b in explanation.get("binding", [])}
    grid = []
    for t in row.scenario.get("teams", []):
        caps = _capacities(row)[str(t["id"])]
        cells = [
            {
                "capacity": caps[i],
                "used": used.get((t["id"], p)),
                "binding": (t["id"], p) in binding,
                "margin": margin.get((t["id"], p)),
            }
            for i, p in enumerate(periods)
        ]
        grid.append({"id": t["id"], "name": t.get("name") or t["id"], "cells": cells})
    return grid


def _job_of(access: ViewerDep, row: RoadmapScenario) -> Any:
    if row.job_id is None:
        return None
    try:
        return jobs.get_job(access.session, workspace_id=access.workspace.id, job_id=row.job_id)
    except ProductHQError:
        return None


@router.get("/w/{ws}/roadmap/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, scenario_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """One scenario: capacity and use, its plan, the explanation, and run / apply buttons."""
    row = planning.get_scenario(
        access.session, workspace_id=access.workspace.id, scenario_id=scenario_id
    )
    plan = row.plan or {}
    names = {f["id"]: f.get("name") or f["id"] for f in row.scenario.get("features", [])}
    team_names = {t["id"]: t.get("name") or t["id"] for t in row.scenario.get("teams", [])}
    return render_ws(
        request,
        access,
        "roadmap/scenario.html",
        {
            "tab": "scenarios",
            "row": row,
            "job": _job_of(access, row),
            "plan": plan,
            "explanation": plan.get("explanation"),
            "grid": _usage_grid(row, plan),
            "names": names,
            "team_names": team_names,
            "chosen": [f for f in plan.get("features", []) if f.get("chosen")],
            "dropped": [f for f in plan.get("features", []) if not f.get("chosen")],
            "can_edit": access.role.allows(Role.editor),
        },
    )


@router.get("/w/{ws}/roadmap/scenarios/{scenario_id}/progress", response_class=HTMLResponse)
def scenario_progress(request: Request, scenario_id: IdPath, access: ViewerDep) -> Response:
    """The optimiser job's progress (an HTMX partial that reloads the page when it ends)."""
    row = planning.get_scenario(
        access.session, workspace_id=access.workspace.id, scenario_id=scenario_id
    )
    job = _job_of(access, row)
    response = render_ws(request, access, "roadmap/_scenario_job.html", {"row": row, "job": job})
    if is_htmx(request) and (job is None or job.status in ("succeeded", "failed")):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/w/{ws}/roadmap/scenarios/{scenario_id}/download")
def download_scenario(scenario_id: IdPath, access: ViewerDep, what: str = "scenario") -> Response:
    """The scenario (or its plan) as a JSON file in the optimiser's format."""
    row = planning.get_scenario(
        access.session, workspace_id=access.workspace.id, scenario_id=scenario_id
    )
    if what not in ("scenario", "plan"):
        raise InvalidInputError.single(("what",), f"{what!r} is not scenario or plan")
    doc = row.scenario if what == "scenario" else row.plan
    if doc is None:
        raise InvalidInputError.single(("what",), "this scenario has no plan yet")
    return Response(
        json.dumps(doc, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{what}-{row.id}.json"'},
    )


@router.post("/w/{ws}/roadmap/scenarios/{scenario_id}/optimize")
def optimize_page(
    scenario_id: IdPath,
    access: EditorDep,
    time_limit: Short = "10",
    explain: Short = "",
) -> Response:
    """Start the optimiser job and follow its progress on the scenario's page."""
    limit = min(600.0, max(0.1, opt_float(time_limit, "time_limit") or 10.0))
    planning.start_optimisation(
        access.session,
        actor=access.actor,
        scenario_id=scenario_id,
        time_limit=limit,
        with_explanation=explain != "off",
    )
    return _done(access, f"scenarios/{scenario_id}")


@router.post("/w/{ws}/roadmap/scenarios/{scenario_id}/apply")
def apply_page(scenario_id: IdPath, access: EditorDep) -> Response:
    """Apply the scenario's plan to the roadmap and show the timeline."""
    planning.apply_plan(access.session, actor=access.actor, scenario_id=scenario_id)
    return _done(access, "timeline")


@router.post("/w/{ws}/roadmap/scenarios/{scenario_id}/delete")
def delete_page(scenario_id: IdPath, access: EditorDep) -> Response:
    """Delete the scenario and go back to the list."""
    planning.delete_scenario(access.session, actor=access.actor, scenario_id=scenario_id)
    return _done(access, "scenarios")
