"""JSON routes of the roadmap area under /api/v1/workspaces/{ws}/roadmap."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from producthq.roadmap import organisation as org
from producthq.roadmap import planning, service, sharing
from producthq.roadmap.diff import SnapshotDiff
from producthq.roadmap.models import RoadmapScenario, RoadmapSnapshot, ShareLink
from producthq.roadmap.rendering import ExportFormat, ExportView, export_file
from producthq.roadmap.schemas import (
    AreaCreate,
    AreaRead,
    CapacityRead,
    CapacitySet,
    DependencyCreate,
    HolidayCreate,
    HolidayRead,
    ItemCreate,
    ItemMove,
    ItemRead,
    ItemUpdate,
    PeriodCreate,
    PeriodRead,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    PlanApplied,
    ReleaseCreate,
    ReleaseRead,
    ScenarioCreate,
    ScenarioDetail,
    ScenarioJob,
    ScenarioRead,
    ScenarioRun,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkRead,
    SnapshotCreate,
    SnapshotDetail,
    SnapshotRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)
from producthq.web.deps import AdminDep, CtxDep, EditorDep, ViewerDep

router = APIRouter(prefix="/api/v1/workspaces/{ws}/roadmap", tags=["roadmap"])
NO_CONTENT = status.HTTP_204_NO_CONTENT
CREATED = status.HTTP_201_CREATED


# --- organisation ------------------------------------------------------------------------


@router.get("/areas", response_model=list[AreaRead])
def list_areas(access: ViewerDep) -> list[AreaRead]:
    """Product areas."""
    rows = org.list_areas(access.session, workspace_id=access.workspace.id)
    return [AreaRead.model_validate(a) for a in rows]


@router.post("/areas", response_model=AreaRead, status_code=CREATED)
def create_area(data: AreaCreate, access: EditorDep) -> AreaRead:
    """Create a product area."""
    return AreaRead.model_validate(org.create_area(access.session, actor=access.actor, data=data))


@router.delete("/areas/{area_id}", status_code=NO_CONTENT)
def delete_area(area_id: int, access: EditorDep) -> None:
    """Delete a product area (its teams stay, without an area)."""
    org.delete_area(access.session, actor=access.actor, area_id=area_id)


@router.get("/teams", response_model=list[TeamRead])
def list_teams(access: ViewerDep) -> list[TeamRead]:
    """Teams."""
    return [
        TeamRead.model_validate(t)
        for t in org.list_teams(access.session, workspace_id=access.workspace.id)
    ]


@router.post("/teams", response_model=TeamRead, status_code=CREATED)
def create_team(data: TeamCreate, access: EditorDep) -> TeamRead:
    """Create a team."""
    return TeamRead.model_validate(org.create_team(access.session, actor=access.actor, data=data))


@router.patch("/teams/{team_id}", response_model=TeamRead)
def update_team(team_id: int, data: TeamUpdate, access: EditorDep) -> TeamRead:
    """Rename a team or move it to another area."""
    team = org.update_team(access.session, actor=access.actor, team_id=team_id, data=data)
    return TeamRead.model_validate(team)


@router.delete("/teams/{team_id}", status_code=NO_CONTENT)
def delete_team(team_id: int, access: EditorDep) -> None:
    """Delete a team."""
    org.delete_team(access.session, actor=access.actor, team_id=team_id)


@router.get("/people", response_model=list[PersonRead])
def list_people(access: ViewerDep) -> list[PersonRead]:
    """People of the product organisation."""
    rows = org.list_people(access.session, workspace_id=access.workspace.id)
    return [PersonRead.model_validate(p) for p in rows]


@router.post("/people", response_model=PersonRead, status_code=CREATED)
def create_person(data: PersonCreate, access: EditorDep) -> PersonRead:
    """Add a person."""
    return PersonRead.model_validate(
        org.create_person(access.session, actor=access.actor, data=data)
    )


@router.patch("/people/{org_person_id}", response_model=PersonRead)
def update_person(org_person_id: int, data: PersonUpdate, access: EditorDep) -> PersonRead:
    """Change a person's role, team, skills or FTE."""
    person = org.update_person(
        access.session, actor=access.actor, person_id=org_person_id, data=data
    )
    return PersonRead.model_validate(person)


@router.delete("/people/{org_person_id}", status_code=NO_CONTENT)
def delete_person(org_person_id: int, access: EditorDep) -> None:
    """Remove a person."""
    org.delete_person(access.session, actor=access.actor, person_id=org_person_id)


@router.get("/periods", response_model=list[PeriodRead])
def list_periods(access: ViewerDep) -> list[PeriodRead]:
    """Planning periods in time order."""
    rows = org.list_periods(access.session, workspace_id=access.workspace.id)
    return [PeriodRead.model_validate(p) for p in rows]


@router.post("/periods", response_model=PeriodRead, status_code=CREATED)
def create_period(data: PeriodCreate, access: EditorDep) -> PeriodRead:
    """Create a planning period."""
    return PeriodRead.model_validate(
        org.create_period(access.session, actor=access.actor, data=data)
    )


@router.delete("/periods/{period_id}", status_code=NO_CONTENT)
def delete_period(period_id: int, access: EditorDep) -> None:
    """Delete a planning period."""
    org.delete_period(access.session, actor=access.actor, period_id=period_id)


@router.get("/holidays", response_model=list[HolidayRead])
def list_holidays(access: ViewerDep) -> list[HolidayRead]:
    """Holidays of people and teams."""
    rows = org.list_holidays(access.session, workspace_id=access.workspace.id)
    return [HolidayRead.model_validate(h) for h in rows]


@router.post("/holidays", response_model=HolidayRead, status_code=CREATED)
def create_holiday(data: HolidayCreate, access: EditorDep) -> HolidayRead:
    """Record days off for a person or a team."""
    return HolidayRead.model_validate(
        org.create_holiday(access.session, actor=access.actor, data=data)
    )


@router.delete("/holidays/{holiday_id}", status_code=NO_CONTENT)
def delete_holiday(holiday_id: int, access: EditorDep) -> None:
    """Delete a holiday."""
    org.delete_holiday(access.session, actor=access.actor, holiday_id=holiday_id)


@router.get("/capacity", response_model=list[CapacityRead])
def read_capacity(access: ViewerDep) -> list[CapacityRead]:
    """Every team's capacity in every period, in person-weeks."""
    return org.capacity_table(access.session, workspace_id=access.workspace.id)


@router.put("/capacity", response_model=list[CapacityRead])
def set_capacity(data: CapacitySet, access: EditorDep) -> list[CapacityRead]:
    """Set a team's capacity in a period by hand (``person_weeks: null`` clears it)."""
    org.set_capacity(access.session, actor=access.actor, data=data)
    return org.capacity_table(access.session, workspace_id=access.workspace.id)


# --- items and releases ------------------------------------------------------------------


def _read(access: Any, roadmap_item_id: int) -> ItemRead:
    item = service.get_item(
        access.session, workspace_id=access.workspace.id, item_id=roadmap_item_id
    )
    deps = service.dependency_map(access.session, workspace_id=access.workspace.id)
    return service.item_read(item, deps.get(item.id, []))


@router.get("/items", response_model=list[ItemRead])
def list_items(
    access: ViewerDep,
    team_id: int | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    objective: Annotated[str | None, Query(max_length=200)] = None,
    product_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ItemRead]:
    """Roadmap items by column and position, optionally filtered (product: of the feature)."""
    ws = access.workspace.id
    flt = service.ItemFilter(team_id, status, objective, product_id)
    deps = service.dependency_map(access.session, workspace_id=ws)
    return [
        service.item_read(i, deps.get(i.id, []))
        for i in service.list_items(access.session, workspace_id=ws, filters=flt)
    ]


@router.post("/items", response_model=ItemRead, status_code=CREATED)
def create_item(data: ItemCreate, access: EditorDep) -> ItemRead:
    """Create an item at the end of its column."""
    item = service.create_item(access.session, actor=access.actor, data=data)
    return service.item_read(item)


@router.get("/items/{roadmap_item_id}", response_model=ItemRead)
def read_item(roadmap_item_id: int, access: ViewerDep) -> ItemRead:
    """One item."""
    return _read(access, roadmap_item_id)


@router.patch("/items/{roadmap_item_id}", response_model=ItemRead)
def update_item(roadmap_item_id: int, data: ItemUpdate, access: EditorDep) -> ItemRead:
    """Change an item's fields."""
    service.update_item(access.session, actor=access.actor, item_id=roadmap_item_id, data=data)
    return _read(access, roadmap_item_id)


@router.delete("/items/{roadmap_item_id}", status_code=NO_CONTENT)
def delete_item(roadmap_item_id: int, access: EditorDep) -> None:
    """Delete an item."""
    service.delete_item(access.session, actor=access.actor, item_id=roadmap_item_id)


@router.post("/items/{roadmap_item_id}/move", response_model=ItemRead)
def move_item(roadmap_item_id: int, data: ItemMove, access: EditorDep) -> ItemRead:
    """Put an item in a column at a position (the board's drag and drop)."""
    service.move_item(
        access.session,
        actor=access.actor,
        item_id=roadmap_item_id,
        column=data.column.value,
        position=data.position,
    )
    return _read(access, roadmap_item_id)


@router.post("/items/{roadmap_item_id}/dependencies", response_model=ItemRead, status_code=CREATED)
def add_dependency(roadmap_item_id: int, data: DependencyCreate, access: EditorDep) -> ItemRead:
    """Make an item wait for another; a cycle is refused with the cycle named."""
    service.add_dependency(
        access.session,
        actor=access.actor,
        item_id=roadmap_item_id,
        depends_on_id=data.depends_on_id,
    )
    return _read(access, roadmap_item_id)


@router.delete("/items/{roadmap_item_id}/dependencies/{depends_on_id}", status_code=NO_CONTENT)
def remove_dependency(roadmap_item_id: int, depends_on_id: int, access: EditorDep) -> None:
    """Remove a dependency."""
    service.remove_dependency(
        access.session, actor=access.actor, item_id=roadmap_item_id, depends_on_id=depends_on_id
    )


@router.get("/releases", response_model=list[ReleaseRead])
def list_releases(access: ViewerDep) -> list[ReleaseRead]:
    """Releases by date."""
    rows = service.list_releases(access.session, workspace_id=access.workspace.id)
    return [ReleaseRead.model_validate(r) for r in rows]


@router.post("/releases", response_model=ReleaseRead, status_code=CREATED)
def create_release(data: ReleaseCreate, access: EditorDep) -> ReleaseRead:
    """Create a release."""
    return ReleaseRead.model_validate(
        service.create_release(access.session, actor=access.actor, data=data)
    )


@router.delete("/releases/{release_id}", status_code=NO_CONTENT)
def delete_release(release_id: int, access: EditorDep) -> None:
    """Delete a release."""
    service.delete_release(access.session, actor=access.actor, release_id=release_id)


@router.get("/export")
def export(
    access: ViewerDep,
    format: ExportFormat = "json",  # noqa: A002 - the public query parameter's name
    view: ExportView = "board",
    group: Literal["team", "objective"] = "team",
) -> Response:
    """The roadmap as Markdown, CSV, JSON, SVG, PNG or PDF (board, timeline or org chart)."""
    f = export_file(access.session, workspace=access.workspace, fmt=format, view=view, group=group)
    return Response(
        f.content,
        media_type=f.media_type,
        headers={"Content-Disposition": f'attachment; filename="{f.filename}"'},
    )


# --- sharing and snapshots ---------------------------------------------------------------


@router.get("/share-links", response_model=list[ShareLinkRead])
def list_share_links(access: AdminDep) -> list[ShareLink]:
    """Share links (never their tokens)."""
    return sharing.list_share_links(access.session, workspace_id=access.workspace.id)


@router.post("/share-links", response_model=ShareLinkCreated, status_code=CREATED)
def create_share_link(data: ShareLinkCreate, access: AdminDep, ctx: CtxDep) -> ShareLinkCreated:
    """Create a read-only link to the board; its URL is in this response only."""
    new = sharing.create_share_link(access.session, actor=access.actor, data=data)
    url = f"{ctx.settings.base_url.rstrip('/')}/share/roadmap/{new.token}"
    return ShareLinkCreated(**ShareLinkRead.model_validate(new.link).model_dump(), url=url)


@router.delete("/share-links/{link_id}", response_model=ShareLinkRead)
def revoke_share_link(link_id: int, access: AdminDep) -> ShareLink:
    """Revoke a share link; it stops working at once."""
    return sharing.revoke_share_link(access.session, actor=access.actor, link_id=link_id)


def _snapshot(s: RoadmapSnapshot) -> SnapshotRead:
    return SnapshotRead(id=s.id, name=s.name, created_at=s.created_at, item_count=len(s.items))


@router.get("/snapshots", response_model=list[SnapshotRead])
def list_snapshots(access: ViewerDep) -> list[SnapshotRead]:
    """Saved snapshots, newest first."""
    rows = sharing.list_snapshots(access.session, workspace_id=access.workspace.id)
    return [_snapshot(s) for s in rows]


@router.post("/snapshots", response_model=SnapshotRead, status_code=CREATED)
def create_snapshot(data: SnapshotCreate, access: EditorDep) -> SnapshotRead:
    """Save the roadmap as a baseline."""
    return _snapshot(sharing.create_snapshot(access.session, actor=access.actor, name=data.name))


@router.get("/snapshots/diff")
def diff_snapshots(access: ViewerDep, a: int, b: int) -> dict[str, Any]:
    """Compare snapshot ``b`` with baseline ``a``: added, removed, moved, slipped."""
    d: SnapshotDiff = sharing.diff_snapshot_ids(
        access.session, workspace_id=access.workspace.id, baseline_id=a, other_id=b
    )
    return {"baseline": a, "other": b, **d.to_dict()}


@router.get("/snapshots/{snapshot_id}", response_model=SnapshotDetail)
def read_snapshot(snapshot_id: int, access: ViewerDep) -> SnapshotDetail:
    """One snapshot with its items."""
    s = sharing.get_snapshot(
        access.session, workspace_id=access.workspace.id, snapshot_id=snapshot_id
    )
    return SnapshotDetail(**_snapshot(s).model_dump(), items=s.items)


# --- scenarios ---------------------------------------------------------------------------


def _scenario(row: RoadmapScenario, detail: bool = False) -> ScenarioRead:
    objective = (row.plan or {}).get("objective")
    base = ScenarioRead.model_validate(row).model_copy(update={"objective": objective})
    if not detail:
        return base
    return ScenarioDetail(**base.model_dump(), scenario=row.scenario, plan=row.plan)


@router.get("/scenarios", response_model=list[ScenarioRead])
def list_scenarios(access: ViewerDep) -> list[ScenarioRead]:
    """Saved optimiser scenarios, newest first."""
    rows = planning.list_scenarios(access.session, workspace_id=access.workspace.id)
    return [_scenario(r) for r in rows]


@router.post("/scenarios", response_model=ScenarioDetail, status_code=CREATED)
def create_scenario(data: ScenarioCreate, access: EditorDep) -> ScenarioRead:
    """Build a scenario from the workspace's items, teams and capacity, and save it."""
    return _scenario(planning.create_scenario(access.session, actor=access.actor, data=data), True)


@router.post("/scenarios/import", response_model=ScenarioDetail, status_code=CREATED)
def import_scenario(doc: dict[str, Any], access: EditorDep) -> ScenarioRead:
    """Save a scenario given in the optimiser's JSON format (validated first)."""
    row = planning.import_scenario(access.session, actor=access.actor, doc=doc, source="body")
    return _scenario(row, True)


@router.get("/scenarios/compare")
def compare_scenarios(access: ViewerDep, a: int, b: int) -> dict[str, Any]:
    """Compare the plans of two scenarios feature by feature."""
    _, _, comparison = planning.compare_scenarios(
        access.session, workspace_id=access.workspace.id, a_id=a, b_id=b
    )
    return comparison.to_dict()


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetail)
def read_scenario(scenario_id: int, access: ViewerDep) -> ScenarioRead:
    """One scenario with its JSON and plan."""
    row = planning.get_scenario(
        access.session, workspace_id=access.workspace.id, scenario_id=scenario_id
    )
    return _scenario(row, True)


@router.delete("/scenarios/{scenario_id}", status_code=NO_CONTENT)
def delete_scenario(scenario_id: int, access: EditorDep) -> None:
    """Delete a saved scenario (not while its optimiser job runs)."""
    planning.delete_scenario(access.session, actor=access.actor, scenario_id=scenario_id)


@router.post(
    "/scenarios/{scenario_id}/optimize",
    response_model=ScenarioJob,
    status_code=status.HTTP_202_ACCEPTED,
)
def optimize_scenario(scenario_id: int, data: ScenarioRun, access: EditorDep) -> ScenarioJob:
    """Run the optimiser as a job; follow it at /api/v1/workspaces/{ws}/jobs/{job_id}."""
    job = planning.start_optimisation(
        access.session,
        actor=access.actor,
        scenario_id=scenario_id,
        time_limit=data.time_limit,
        with_explanation=data.explain,
        percent=data.percent,
    )
    return ScenarioJob(scenario_id=scenario_id, job_id=job.id)


@router.post("/scenarios/{scenario_id}/apply", response_model=PlanApplied)
def apply_scenario(scenario_id: int, access: EditorDep) -> PlanApplied:
    """Apply a scenario's plan to the roadmap: items get the plan's team and periods."""
    return planning.apply_plan(access.session, actor=access.actor, scenario_id=scenario_id)
