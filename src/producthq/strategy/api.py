"""JSON routes of the strategy area under /api/v1/workspaces/{ws}/strategy."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from producthq.strategy import okrs, service
from producthq.strategy.markdown import render_markdown
from producthq.strategy.models import KeyResult, MetricKind, Objective
from producthq.strategy.progress import Direction
from producthq.strategy.schemas import (
    CheckinCreate,
    CheckinRead,
    CompetitorCreate,
    CompetitorRead,
    CompetitorUpdate,
    DiffLineRead,
    InvestmentMix,
    InvestmentRead,
    InvestmentRow,
    KeyResultCreate,
    KeyResultRead,
    KeyResultUpdate,
    LinkCreate,
    LinkRead,
    LinkUpdate,
    ObjectiveCreate,
    ObjectiveRead,
    ObjectiveUpdate,
    PersonaCreate,
    PersonaRead,
    PersonaUpdate,
    VisionDiffRead,
    VisionRead,
    VisionRevisionRead,
    VisionUpdate,
)
from producthq.strategy.textdiff import diff_stats
from producthq.web.deps import EditorDep, ViewerDep

router = APIRouter(prefix="/api/v1/workspaces/{ws}/strategy", tags=["strategy"])
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
NumberPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
PeriodQuery = Annotated[str | None, Query(max_length=32)]


def key_result_read(kr: KeyResult) -> KeyResultRead:
    """Build the JSON shape of a key result, with its progress."""
    return KeyResultRead(
        id=kr.id,
        objective_id=kr.objective_id,
        title=kr.title,
        metric_kind=MetricKind(kr.metric_kind),
        baseline=kr.baseline,
        target=kr.target,
        current=kr.current,
        direction=Direction(kr.direction),
        owner_id=kr.owner_id,
        confidence=kr.confidence,
        metric_binding=kr.metric_binding,
        refreshed_at=kr.refreshed_at,
        progress=okrs.progress_of_key_result(kr),
    )


def objective_read(o: Objective) -> ObjectiveRead:
    """Build the JSON shape of an objective, with key results, links and progress."""
    return ObjectiveRead(
        id=o.id,
        title=o.title,
        description=o.description,
        owner_id=o.owner_id,
        period=o.period,
        period_start=o.period_start,
        period_end=o.period_end,
        confidence=o.confidence,
        investment_pct=o.investment_pct,
        progress=okrs.progress_of_objective(o),
        key_results=[key_result_read(kr) for kr in o.key_results],
        links=[LinkRead.model_validate(link) for link in o.links],
    )


# --- vision ------------------------------------------------------------------------------


@router.get("/vision", response_model=VisionRead)
def read_vision(access: ViewerDep) -> VisionRead:
    """The current vision and strategy text, with its safe HTML rendering."""
    rev = service.find_vision(access.session, workspace_id=access.workspace.id)
    return VisionRead(
        revision=VisionRevisionRead.model_validate(rev) if rev else None,
        body_html=str(render_markdown(rev.body if rev else "")),
    )


@router.put("/vision", response_model=VisionRevisionRead)
def save_vision(data: VisionUpdate, access: EditorDep) -> VisionRevisionRead:
    """Save the vision as a new revision."""
    rev = service.save_vision(access.session, actor=access.actor, data=data)
    return VisionRevisionRead.model_validate(rev)


@router.get("/vision/revisions", response_model=list[VisionRevisionRead])
def list_vision_revisions(access: ViewerDep) -> list[VisionRevisionRead]:
    """Every saved revision of the vision, newest first."""
    revs = service.list_vision_revisions(access.session, workspace_id=access.workspace.id)
    return [VisionRevisionRead.model_validate(r) for r in revs]


@router.get("/vision/revisions/{revision_number}", response_model=VisionRevisionRead)
def read_vision_revision(revision_number: NumberPath, access: ViewerDep) -> VisionRevisionRead:
    """One revision of the vision."""
    rev = service.get_vision_revision(
        access.session, workspace_id=access.workspace.id, number=revision_number
    )
    return VisionRevisionRead.model_validate(rev)


@router.get("/vision/diff", response_model=VisionDiffRead)
def diff_vision(
    access: ViewerDep,
    from_number: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to_number: Annotated[int, Query(alias="to", ge=1, le=2**31 - 1)],
) -> VisionDiffRead:
    """The line diff between two revisions of the vision."""
    lines = service.diff_vision(
        access.session,
        workspace_id=access.workspace.id,
        from_number=from_number,
        to_number=to_number,
    )
    added, removed = diff_stats(lines)
    return VisionDiffRead(
        from_number=from_number,
        to_number=to_number,
        added=added,
        removed=removed,
        lines=[DiffLineRead(kind=d.kind, text=d.text) for d in lines],
    )


# --- personas ----------------------------------------------------------------------------


@router.get("/personas", response_model=list[PersonaRead])
def list_personas(access: ViewerDep) -> list[PersonaRead]:
    """The workspace's personas."""
    rows = service.list_personas(access.session, workspace_id=access.workspace.id)
    return [PersonaRead.model_validate(p) for p in rows]


@router.post("/personas", response_model=PersonaRead, status_code=status.HTTP_201_CREATED)
def create_persona(data: PersonaCreate, access: EditorDep) -> PersonaRead:
    """Create a persona."""
    return PersonaRead.model_validate(
        service.create_persona(access.session, actor=access.actor, data=data)
    )


@router.get("/personas/{persona_id}", response_model=PersonaRead)
def read_persona(persona_id: IdPath, access: ViewerDep) -> PersonaRead:
    """One persona."""
    return PersonaRead.model_validate(
        service.get_persona(access.session, workspace_id=access.workspace.id, persona_id=persona_id)
    )


@router.patch("/personas/{persona_id}", response_model=PersonaRead)
def update_persona(persona_id: IdPath, data: PersonaUpdate, access: EditorDep) -> PersonaRead:
    """Change a persona."""
    return PersonaRead.model_validate(
        service.update_persona(access.session, actor=access.actor, persona_id=persona_id, data=data)
    )


@router.delete("/personas/{persona_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_persona(persona_id: IdPath, access: EditorDep) -> None:
    """Delete a persona."""
    service.delete_persona(access.session, actor=access.actor, persona_id=persona_id)


# --- competitors -------------------------------------------------------------------------


@router.get("/competitors", response_model=list[CompetitorRead])
def list_competitors(access: ViewerDep) -> list[CompetitorRead]:
    """The workspace's competitors."""
    rows = service.list_competitors(access.session, workspace_id=access.workspace.id)
    return [CompetitorRead.model_validate(c) for c in rows]


@router.post("/competitors", response_model=CompetitorRead, status_code=status.HTTP_201_CREATED)
def create_competitor(data: CompetitorCreate, access: EditorDep) -> CompetitorRead:
    """Create a competitor."""
    return CompetitorRead.model_validate(
        service.create_competitor(access.session, actor=access.actor, data=data)
    )


@router.get("/competitors/{competitor_id}", response_model=CompetitorRead)
def read_competitor(competitor_id: IdPath, access: ViewerDep) -> CompetitorRead:
    """One competitor."""
    return CompetitorRead.model_validate(
        service.get_competitor(
            access.session, workspace_id=access.workspace.id, competitor_id=competitor_id
        )
    )


@router.patch("/competitors/{competitor_id}", response_model=CompetitorRead)
def update_competitor(
    competitor_id: IdPath, data: CompetitorUpdate, access: EditorDep
) -> CompetitorRead:
    """Change a competitor."""
    return CompetitorRead.model_validate(
        service.update_competitor(
            access.session, actor=access.actor, competitor_id=competitor_id, data=data
        )
    )


@router.delete("/competitors/{competitor_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_competitor(competitor_id: IdPath, access: EditorDep) -> None:
    """Delete a competitor."""
    service.delete_competitor(access.session, actor=access.actor, competitor_id=competitor_id)


# --- objectives and key results ----------------------------------------------------------


@router.get("/objectives", response_model=list[ObjectiveRead])
def list_objectives(access: ViewerDep, period: PeriodQuery = None) -> list[ObjectiveRead]:
    """Objectives with their key results and links, optionally of one period (2026-Q4)."""
    rows = okrs.list_objectives(access.session, workspace_id=access.workspace.id, period=period)
    return [objective_read(o) for o in rows]


@router.post("/objectives", response_model=ObjectiveRead, status_code=status.HTTP_201_CREATED)
def create_objective(data: ObjectiveCreate, access: EditorDep) -> ObjectiveRead:
    """Create an objective."""
    o = okrs.create_objective(access.session, actor=access.actor, data=data)
    return objective_read(
        okrs.get_objective(access.session, workspace_id=access.workspace.id, objective_id=o.id)
    )


@router.get("/objectives/{objective_id}", response_model=ObjectiveRead)
def read_objective(objective_id: IdPath, access: ViewerDep) -> ObjectiveRead:
    """One objective with its key results and links."""
    return objective_read(
        okrs.get_objective(
            access.session, workspace_id=access.workspace.id, objective_id=objective_id
        )
    )


@router.patch("/objectives/{objective_id}", response_model=ObjectiveRead)
def update_objective(
    objective_id: IdPath, data: ObjectiveUpdate, access: EditorDep
) -> ObjectiveRead:
    """Change an objective."""
    return objective_read(
        okrs.update_objective(
            access.session, actor=access.actor, objective_id=objective_id, data=data
        )
    )


@router.delete("/objectives/{objective_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_objective(objective_id: IdPath, access: EditorDep) -> None:
    """Delete an objective with its key results, check-ins and links."""
    okrs.delete_objective(access.session, actor=access.actor, objective_id=objective_id)


@router.post(
    "/objectives/{objective_id}/key-results",
    response_model=KeyResultRead,
    status_code=status.HTTP_201_CREATED,
)
def create_key_result(
    objective_id: IdPath, data: KeyResultCreate, access: EditorDep
) -> KeyResultRead:
    """Add a key result to an objective."""
    return key_result_read(
        okrs.create_key_result(
            access.session, actor=access.actor, objective_id=objective_id, data=data
        )
    )


@router.get("/key-results/{key_result_id}", response_model=KeyResultRead)
def read_key_result(key_result_id: IdPath, access: ViewerDep) -> KeyResultRead:
    """One key result with its progress."""
    return key_result_read(
        okrs.get_key_result(
            access.session, workspace_id=access.workspace.id, key_result_id=key_result_id
        )
    )


@router.patch("/key-results/{key_result_id}", response_model=KeyResultRead)
def update_key_result(
    key_result_id: IdPath, data: KeyResultUpdate, access: EditorDep
) -> KeyResultRead:
    """Change a key result (its current value changes through check-ins)."""
    return key_result_read(
        okrs.update_key_result(
            access.session, actor=access.actor, key_result_id=key_result_id, data=data
        )
    )


@router.delete("/key-results/{key_result_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_key_result(key_result_id: IdPath, access: EditorDep) -> None:
    """Delete a key result and its check-ins."""
    okrs.delete_key_result(access.session, actor=access.actor, key_result_id=key_result_id)


@router.get("/key-results/{key_result_id}/checkins", response_model=list[CheckinRead])
def list_checkins(key_result_id: IdPath, access: ViewerDep) -> list[CheckinRead]:
    """A key result's check-ins, oldest first."""
    rows = okrs.list_checkins(
        access.session, workspace_id=access.workspace.id, key_result_id=key_result_id
    )
    return [CheckinRead.model_validate(c) for c in rows]


@router.post(
    "/key-results/{key_result_id}/checkins",
    response_model=CheckinRead,
    status_code=status.HTTP_201_CREATED,
)
def create_checkin(key_result_id: IdPath, data: CheckinCreate, access: EditorDep) -> CheckinRead:
    """Check in a value; the latest check-in becomes the key result's current value."""
    return CheckinRead.model_validate(
        okrs.add_checkin(access.session, actor=access.actor, key_result_id=key_result_id, data=data)
    )


# --- alignment ---------------------------------------------------------------------------


@router.get("/objectives/{objective_id}/links", response_model=list[LinkRead])
def list_links(objective_id: IdPath, access: ViewerDep) -> list[LinkRead]:
    """Features and roadmap items linked to an objective."""
    o = okrs.get_objective(
        access.session, workspace_id=access.workspace.id, objective_id=objective_id
    )
    return [LinkRead.model_validate(link) for link in o.links]


@router.post(
    "/objectives/{objective_id}/links",
    response_model=LinkRead,
    status_code=status.HTTP_201_CREATED,
)
def create_link(objective_id: IdPath, data: LinkCreate, access: EditorDep) -> LinkRead:
    """Link a feature or roadmap item to an objective."""
    return LinkRead.model_validate(
        okrs.link_objective(
            access.session, actor=access.actor, objective_id=objective_id, data=data
        )
    )


@router.patch("/objectives/{objective_id}/links/{objective_link_id}", response_model=LinkRead)
def update_link(
    objective_id: IdPath, objective_link_id: IdPath, data: LinkUpdate, access: EditorDep
) -> LinkRead:
    """Change a link's title snapshot or planned effort."""
    return LinkRead.model_validate(
        okrs.update_link(
            access.session,
            actor=access.actor,
            objective_id=objective_id,
            link_id=objective_link_id,
            data=data,
        )
    )


@router.delete(
    "/objectives/{objective_id}/links/{objective_link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_link(objective_id: IdPath, objective_link_id: IdPath, access: EditorDep) -> None:
    """Unlink an item from an objective."""
    okrs.unlink_objective(
        access.session, actor=access.actor, objective_id=objective_id, link_id=objective_link_id
    )


def _investment(access: ViewerDep, period: str) -> InvestmentRead:
    lines = okrs.investment_of(access.session, workspace_id=access.workspace.id, period=period)
    return InvestmentRead(
        period=period,
        total_effort=sum(line.planned_effort for line in lines),
        rows=[
            InvestmentRow(
                objective_id=line.objective.id,
                title=line.objective.title,
                target_pct=line.target_pct,
                planned_effort=line.planned_effort,
                planned_pct=line.planned_pct,
            )
            for line in lines
        ],
    )


@router.get("/investment", response_model=InvestmentRead)
def read_investment(
    access: ViewerDep, period: Annotated[str, Query(min_length=1, max_length=32)]
) -> InvestmentRead:
    """Target investment mix vs effort planned on linked items, per objective of a period."""
    return _investment(access, period)


@router.put("/investment", response_model=InvestmentRead)
def set_investment(data: InvestmentMix, access: EditorDep) -> InvestmentRead:
    """Set the target investment mix of a period (percentages adding up to 100)."""
    okrs.set_investment_mix(access.session, actor=access.actor, data=data)
    return _investment(access, data.period)
