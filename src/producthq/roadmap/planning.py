"""Optimiser scenarios in the database: build from the workspace, solve as a job, compare, apply.

A scenario is saved in the optimiser's JSON format (``docs/roadmap-optimizer.md``), so what the
web builds the CLI can export, and a file edited by hand can be imported and solved here.

Building from the workspace:

* periods are the workspace's planning periods in time order, labelled by name;
* teams are keyed by ``Team.key``; capacity per period is the capacity in force (computed from
  people, FTE and holidays, or the manual override) times ``capacity_percent / 100``;
* features are the items not done that have a ``value`` and an ``effort`` for at least one
  existing team, with id ``item-<id>``; duration is the number of periods from the item's start
  to its end period (1 if unset); dependencies between such items are kept;
* items in progress are committed to their own team when it can do them.

Solving (in the ``roadmap_optimize`` job, or directly from the CLI) stores the plan on the row
and, unless turned off, its explanation (``explain.py``): the job reports the solver's progress
for the first three quarters and the explanation's re-solves for the rest.

Applying a plan sets each chosen item's team and start/end periods (explicit dates are
cleared so the periods show) and creates items for chosen features no item matches.
"""

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.db import utcnow, workspace_scope
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.jobs import service as jobs
from producthq.jobs.models import Job
from producthq.jobs.registry import REGISTRY, JobContext
from producthq.roadmap.explain import Comparison, compare_plans, explain
from producthq.roadmap.models import (
    BoardColumn,
    ItemStatus,
    RoadmapItem,
    RoadmapScenario,
    ScenarioStatus,
)
from producthq.roadmap.optimizer import ProgressFn, SolveOptions, diagnose_infeasible, optimize
from producthq.roadmap.organisation import capacity_table, list_periods, list_teams
from producthq.roadmap.scenario import PlanStatus, parse_plan, parse_scenario
from producthq.roadmap.schemas import PlanApplied, ScenarioCreate
from producthq.roadmap.service import dependency_map, list_items

JOB_KIND = "roadmap_optimize"
ITEM_ID = re.compile(r"^item-(\d+)$")


def build_scenario(
    session: Session, *, workspace_id: int, name: str, capacity_percent: float = 100.0
) -> dict[str, Any]:
    """Build a scenario document from the workspace's periods, teams, capacity and items.

    Raises:
        InvalidInputError: no periods, no teams, or no item with a value and an effort.
    """
    periods = list_periods(session, workspace_id=workspace_id)
    teams = list_teams(session, workspace_id=workspace_id)
    if not periods:
        raise InvalidInputError.single(("periods",), "there are no planning periods; add some")
    if not teams:
        raise InvalidInputError.single(("teams",), "there are no teams; add some")
    cap = {
        (c.team_id, c.period_id): c.effective
        for c in capacity_table(session, workspace_id=workspace_id)
    }
    scale = capacity_percent / 100
    key_of = {t.id: t.key for t in teams}
    index = {p.id: i for i, p in enumerate(periods)}
    candidates = {}
    for item in list_items(session, workspace_id=workspace_id):
        effort = {k: float(v) for k, v in (item.effort or {}).items() if k in key_of.values()}
        if item.status == ItemStatus.done.value or item.value is None or not effort:
            continue
        candidates[item.id] = (item, effort)
    if not candidates:
        raise InvalidInputError.single(
            ("items",),
            "no roadmap item that is not done has both a value and an effort for an existing "
            "team; set them on the items first",
        )
    deps = dependency_map(session, workspace_id=workspace_id)
    features, commitments = [], []
    for item_id, (item, effort) in candidates.items():
        duration = 1
        if item.start_period_id in index and item.end_period_id in index:
            duration = max(1, index[item.end_period_id] - index[item.start_period_id] + 1)
        feature: dict[str, Any] = {
            "id": f"item-{item_id}",
            "name": item.title,
            "value": float(item.value or 0),
            "effort": effort,
            "duration": min(duration, len(periods)),
        }
        wanted = [f"item-{d}" for d in deps.get(item_id, []) if d in candidates]
        if wanted:
            feature["depends_on"] = wanted
        features.append(feature)
        team_key = key_of.get(item.team_id) if item.team_id else None
        if item.status == ItemStatus.in_progress.value and team_key in effort:
            commitments.append({"feature": f"item-{item_id}", "team": team_key})
    doc: dict[str, Any] = {
        "name": name,
        "periods": [p.name for p in periods],
        "teams": [
            {
                "id": t.key,
                "name": t.name,
                "capacity": [round(cap.get((t.id, p.id), 0.0) * scale, 2) for p in periods],
            }
            for t in teams
        ],
        "features": features,
    }
    if commitments:
        doc["commitments"] = commitments
    parse_scenario(doc, source="workspace")
    return doc


def _save(
    session: Session, actor: Actor, name: str, doc: dict[str, Any], how: str
) -> RoadmapScenario:
    row = RoadmapScenario(
        workspace_id=actor.workspace_id,
        name=name,
        scenario=doc,
        status=ScenarioStatus.draft.value,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="create",
        object_type="roadmap_scenario",
        object_id=row.id,
        summary=f"{how} scenario {name} ({len(doc.get('features', []))} features)",
    )
    return row


def create_scenario(session: Session, *, actor: Actor, data: ScenarioCreate) -> RoadmapScenario:
    """Build a scenario from the workspace and save it as a draft."""
    doc = build_scenario(
        session,
        workspace_id=actor.workspace_id,
        name=data.name,
        capacity_percent=data.capacity_percent,
    )
    return _save(session, actor, data.name, doc, "built")


def import_scenario(
    session: Session, *, actor: Actor, doc: Any, name: str | None = None, source: str = "file"
) -> RoadmapScenario:
    """Validate a scenario document (the optimiser's format) and save it as a draft."""
    scenario = parse_scenario(doc, source=source)
    label = (name or scenario.name or source)[:200]
    return _save(session, actor, label, dict(doc), "imported")


def list_scenarios(session: Session, *, workspace_id: int) -> list[RoadmapScenario]:
    """Return the saved scenarios, newest first."""
    return list(
        session.scalars(
            select(RoadmapScenario)
            .where(RoadmapScenario.workspace_id == workspace_id)
            .order_by(RoadmapScenario.id.desc())
        )
    )


def get_scenario(session: Session, *, workspace_id: int, scenario_id: int) -> RoadmapScenario:
    """Return a saved scenario; raise ``NotFoundError`` if it is not in the workspace."""
    row = session.scalar(
        select(RoadmapScenario).where(
            RoadmapScenario.id == scenario_id, RoadmapScenario.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFoundError(f"scenario {scenario_id} does not exist in this workspace")
    return row


def delete_scenario(session: Session, *, actor: Actor, scenario_id: int) -> None:
    """Delete a saved scenario (audited); refused while its optimiser job is queued."""
    row = get_scenario(session, workspace_id=actor.workspace_id, scenario_id=scenario_id)
    if row.status == ScenarioStatus.queued.value and row.job_id is not None:
        job = session.get(Job, row.job_id)
        if job is not None and job.status in ("queued", "running"):
            raise ConflictError(
                f"scenario {row.name!r} is being solved (job {job.id}); delete it when it ends"
            )
    name = row.name
    session.delete(row)
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        action="delete",
        object_type="roadmap_scenario",
        object_id=scenario_id,
        summary=f"deleted scenario {name}",
    )


def start_optimisation(
    session: Session,
    *,
    actor: Actor,
    scenario_id: int,
    time_limit: float = 10.0,
    with_explanation: bool = True,
    percent: float = 10.0,
) -> Job:
    """Queue the optimiser on a saved scenario as a ``roadmap_optimize`` job."""
    row = get_scenario(session, workspace_id=actor.workspace_id, scenario_id=scenario_id)
    job = jobs.create_job(
        session,
        actor=actor,
        workspace_id=actor.workspace_id,
        kind=JOB_KIND,
        params={
            "scenario_id": row.id,
            "time_limit": time_limit,
            "explain": with_explanation,
            "percent": percent,
        },
    )
    row.status, row.job_id, row.error = ScenarioStatus.queued.value, job.id, ""
    session.flush()
    return job


def _share(progress: ProgressFn | None, low: int, high: int) -> ProgressFn | None:
    """Map a sub-step's 0-100 progress onto ``low..high`` of the whole job."""
    if progress is None:
        return None
    outer = progress

    def report(percent: int, message: str = "") -> None:
        outer(low + round((high - low) * min(max(percent, 0), 100) / 100), message)

    return report


def explain_time_limit(time_limit: float) -> float:
    """Seconds per re-solve of the explanation: a tenth of the solve, between 0.2 and 2."""
    return min(2.0, max(0.2, time_limit / 10))


def solve_scenario(
    session: Session,
    *,
    row: RoadmapScenario,
    time_limit: float,
    progress: ProgressFn | None = None,
    with_explanation: bool = True,
    percent: float = 10.0,
) -> RoadmapScenario:
    """Run the optimiser on a saved scenario now and store its plan on the row.

    With ``with_explanation`` the plan also carries its explanation (binding capacity, the
    value of one more person-week per binding team and period, and what enters and drops with
    +-``percent`` % capacity), computed by re-solving (``explain.py``).
    """
    scenario = parse_scenario(row.scenario, source=f"scenario {row.id}")
    solve_until = 75 if with_explanation else 100
    plan = optimize(
        scenario, SolveOptions(time_limit=time_limit), progress=_share(progress, 0, solve_until)
    )
    # Nothing is written to the row until the work is done: on SQLite a pending write would
    # hold the lock that the job's progress updates (another session) need.
    doc = plan.to_dict(scenario)
    if plan.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE):
        if with_explanation:
            report = _share(progress, solve_until, 100)
            if report:
                report(0, "explaining the plan: binding capacity and what-ifs")
            explanation = explain(
                scenario,
                plan,
                percent=percent,
                time_limit=explain_time_limit(time_limit),
                progress=report,
            )
            doc["explanation"] = explanation.to_dict()
        row.plan = doc
        row.status, row.error = ScenarioStatus.solved.value, ""
    else:
        error = f"no plan: {plan.status.value}"
        if plan.status == PlanStatus.INFEASIBLE:
            conflict = diagnose_infeasible(scenario, time_limit=min(time_limit, 10.0))
            error += "; conflicting commitments: " + (", ".join(conflict) or "(none found)")
        row.plan, row.status, row.error = doc, ScenarioStatus.failed.value, error
    session.flush()
    return row


@REGISTRY.register(JOB_KIND, "Roadmap optimiser")
def run_optimisation_job(ctx: JobContext) -> dict[str, Any]:
    """The job: solve the scenario named in the parameters, reporting the solver's progress."""
    scenario_id = int(ctx.params["scenario_id"])
    time_limit = float(ctx.params.get("time_limit", 10.0))
    with_explanation = bool(ctx.params.get("explain", True))
    percent = float(ctx.params.get("percent", 10.0))
    with ctx.session_factory() as s, workspace_scope(s, ctx.workspace_id):
        row = get_scenario(s, workspace_id=ctx.workspace_id, scenario_id=scenario_id)
        try:
            solve_scenario(
                s,
                row=row,
                time_limit=time_limit,
                progress=ctx.progress,
                with_explanation=with_explanation,
                percent=percent,
            )
        except InvalidInputError as exc:
            s.rollback()
            row = get_scenario(s, workspace_id=ctx.workspace_id, scenario_id=scenario_id)
            row.status, row.error = ScenarioStatus.failed.value, exc.message[:2000]
            s.commit()
            raise
        s.commit()
        plan = row.plan or {}
        return {
            "scenario_id": row.id,
            "status": plan.get("status"),
            "objective": plan.get("objective"),
        }


def compare_scenarios(
    session: Session, *, workspace_id: int, a_id: int, b_id: int
) -> tuple[RoadmapScenario, RoadmapScenario, Comparison]:
    """Compare the plans of two solved scenarios feature by feature."""
    rows = []
    plans = []
    for sid in (a_id, b_id):
        row = get_scenario(session, workspace_id=workspace_id, scenario_id=sid)
        if row.plan is None:
            raise ConflictError(f"scenario {row.name!r} has no plan yet; run the optimiser first")
        scenario = parse_scenario(row.scenario, source=f"scenario {sid}")
        plans.append(parse_plan(row.plan, scenario, source=f"plan of scenario {sid}"))
        rows.append(row)
    return rows[0], rows[1], compare_plans(plans[0], plans[1], rows[0].name, rows[1].name)


def _column_for(start_index: int) -> str:
    return (BoardColumn.now, BoardColumn.next)[start_index].value if start_index < 2 else "later"


def apply_plan(session: Session, *, actor: Actor, scenario_id: int) -> PlanApplied:
    """Apply a solved scenario's plan to the roadmap in one step (audited).

    Each chosen feature's item gets the plan's team and start/end periods; a chosen feature
    that matches no item becomes a new item. Features not chosen are left as they are.
    """
    ws = actor.workspace_id
    row = get_scenario(session, workspace_id=ws, scenario_id=scenario_id)
    plan = row.plan
    if plan is None or plan.get("status") not in ("optimal", "feasible"):
        raise ConflictError(f"scenario {row.name!r} has no feasible plan to apply")
    teams = {t.key: t for t in list_teams(session, workspace_id=ws)}
    periods = {p.name: p for p in list_periods(session, workspace_id=ws)}
    order = list(periods)
    specs = {f["id"]: f for f in row.scenario.get("features", [])}
    updated = created = 0
    for i, entry in enumerate(plan.get("features", [])):
        if not entry.get("chosen"):
            continue
        team = teams.get(entry.get("team") or "")
        start, end = periods.get(entry.get("start") or ""), periods.get(entry.get("end") or "")
        if team is None:
            raise InvalidInputError.single(
                ("plan", "features", i, "team"), f"team {entry.get('team')!r} does not exist here"
            )
        if start is None or end is None:
            raise InvalidInputError.single(
                ("plan", "features", i, "start"),
                f"period {entry.get('start')!r}..{entry.get('end')!r} does not exist here",
            )
        item = _match_item(session, ws, str(entry["id"]))
        if item is None:
            spec = specs.get(entry["id"], {})
            item = RoadmapItem(
                workspace_id=ws,
                title=str(spec.get("name") or entry["id"])[:300],
                column=_column_for(order.index(start.name)),
                position=10000 + i,
                value=float(entry.get("value") or 0),
                effort={k: float(v) for k, v in spec.get("effort", {}).items()},
            )
            session.add(item)
            created += 1
        else:
            updated += 1
        item.team_id, item.start_period_id, item.end_period_id = team.id, start.id, end.id
        item.start_date = item.end_date = None
    row.applied_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action="apply",
        object_type="roadmap_scenario",
        object_id=row.id,
        summary=f"applied scenario {row.name}: {updated} items updated, {created} created",
    )
    return PlanApplied(updated=updated, created=created)


def _match_item(session: Session, ws: int, feature_id: str) -> RoadmapItem | None:
    m = ITEM_ID.match(feature_id)
    if m is None:
        return None
    return session.scalar(
        select(RoadmapItem).where(RoadmapItem.id == int(m.group(1)), RoadmapItem.workspace_id == ws)
    )
