"""JSON routes of prioritisation under /api/v1/workspaces/{ws}/prioritization.

Ranking, what-if weights, a feature's inputs (estimates, evidence-derived values, overrides),
its evidence, and priority poker.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from producthq.catalog.models import FeatureStatus
from producthq.catalog.schemas import FeatureFilter
from producthq.errors import InvalidInputError
from producthq.prioritization import frameworks, kano_answers, service
from producthq.prioritization.schemas import (
    EstimateSet,
    EvidenceSummary,
    FeatureInputs,
    FrameworkInfo,
    KanoImport,
    KanoImportResult,
    KanoResponseCreate,
    KanoSummary,
    PokerRead,
    PokerStart,
    PokerVoteIn,
    RankingRead,
    ScoringFrameworkCreate,
    ScoringFrameworkRead,
    ScoringFrameworkUpdate,
)
from producthq.web.deps import EditorDep, IdPath, ViewerDep

router = APIRouter(prefix="/api/v1/workspaces/{ws}/prioritization", tags=["prioritization"])
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Text = Annotated[str | None, Query(max_length=200)]
TagQuery = Annotated[str | None, Query(max_length=50)]
Slug = Annotated[str, Path(max_length=32, pattern=r"^[a-z_][a-z0-9_]*$")]
InputName = Annotated[str, Path(max_length=64, pattern=r"^[a-z_][a-z0-9_]*$")]
WeightsQuery = Annotated[
    str | None,
    Query(max_length=500, description="what-if weights, e.g. reach=0.5,effort=2"),
]


def parse_weights(text: str | None) -> dict[str, float]:
    """Read ``name=weight,name=weight`` into a mapping.

    Raises:
        InvalidInputError: a pair without ``=`` or a weight that is not a number.
    """
    out: dict[str, float] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        name, sep, value = pair.partition("=")
        try:
            if not sep:
                raise ValueError(pair)
            out[name.strip()] = float(value)
        except ValueError:
            raise InvalidInputError.single(
                ("weights", name.strip()), f"{pair.strip()!r} is not NAME=NUMBER", "bad_weight"
            ) from None
    return out


@router.get("/frameworks", response_model=list[FrameworkInfo])
def list_frameworks(access: ViewerDep) -> list[FrameworkInfo]:
    """The workspace's frameworks (built-in and user-defined), inputs, evidence-derived inputs."""
    return service.list_frameworks(access.session, workspace_id=access.workspace.id)


@router.get("/ranking", response_model=RankingRead)
def ranking(  # noqa: C901 - one branch per optional filter
    access: ViewerDep,
    framework: Annotated[str, Query(max_length=32)] = "rice",
    top: Annotated[int, Query(ge=1, le=1000)] = 10,
    draws: Annotated[int, Query(ge=100, le=service.MAX_DRAWS)] = 2000,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    interval: Annotated[float, Query(gt=0.0, lt=1.0)] = 0.9,
    method: Literal["auto", "monte_carlo", "exact"] = "auto",
    weights: WeightsQuery = None,
    q: Text = None,
    status_: Annotated[FeatureStatus | None, Query(alias="status")] = None,
    product_id: IdQuery = None,
    component_id: IdQuery = None,
    tag: TagQuery = None,
    objective_id: IdQuery = None,
) -> Response:
    """Rank features: median score with interval, P(top N), the input that most moves each.

    With ``weights`` the ranking uses those what-if weights and each row says how many places
    it moved from the ranking with the framework's own weights.
    """
    filters = None
    if any(v is not None for v in (q, status_, product_id, component_id, tag, objective_id)):
        filters = FeatureFilter(
            q=q or None,
            status=status_,
            product_id=product_id,
            component_id=component_id,
            tag=tag or None,
            objective_id=objective_id,
        )
    result = service.rank_features(
        access.session,
        workspace_id=access.workspace.id,
        framework=framework,
        filters=filters,
        top=top,
        draws=draws,
        seed=seed,
        interval=interval,
        method=method,
        weights=parse_weights(weights),
    )
    # The result is already a validated RankingRead: serialise it once (in Rust) rather than
    # letting FastAPI dump, re-validate and serialise a thousand rows again.
    return Response(result.model_dump_json(), media_type="application/json")


@router.get("/features/{feature_id}/inputs/{framework}", response_model=FeatureInputs)
def feature_inputs(feature_id: IdPath, framework: Slug, access: ViewerDep) -> FeatureInputs:
    """A feature's inputs for a framework, each with its source (manual, override, evidence)."""
    return service.feature_inputs(
        access.session,
        workspace_id=access.workspace.id,
        feature_id=feature_id,
        framework=framework,
    )


@router.put("/features/{feature_id}/inputs/{framework}/{input_name}", response_model=FeatureInputs)
def set_estimate(
    feature_id: IdPath,
    framework: Slug,
    input_name: InputName,
    data: EstimateSet,
    access: EditorDep,
) -> FeatureInputs:
    """Set an input: a point, or a range low..high at a confidence (overrides evidence)."""
    return service.set_estimate(
        access.session,
        actor=access.actor,
        feature_id=feature_id,
        framework=framework,
        input_name=input_name,
        data=data,
    )


@router.delete(
    "/features/{feature_id}/inputs/{framework}/{input_name}", response_model=FeatureInputs
)
def delete_estimate(
    feature_id: IdPath, framework: Slug, input_name: InputName, access: EditorDep
) -> FeatureInputs:
    """Remove a stored estimate (an evidence-derived input goes back to its evidence)."""
    return service.delete_estimate(
        access.session,
        actor=access.actor,
        feature_id=feature_id,
        framework=framework,
        input_name=input_name,
    )


@router.get("/features/{feature_id}/evidence", response_model=EvidenceSummary)
def feature_evidence(feature_id: IdPath, access: ViewerDep) -> EvidenceSummary:
    """Reach, demand, segment mix and request trend from the feature's linked feedback."""
    return service.feature_evidence(
        access.session, workspace_id=access.workspace.id, feature_id=feature_id
    )


@router.get("/features/{feature_id}/poker", response_model=list[PokerRead])
def list_poker(feature_id: IdPath, access: ViewerDep) -> list[PokerRead]:
    """A feature's poker rounds, newest first (votes hidden until revealed)."""
    return service.list_poker(access.session, actor=access.actor, feature_id=feature_id)


@router.post("/features/{feature_id}/poker", response_model=PokerRead, status_code=201)
def start_poker(feature_id: IdPath, data: PokerStart, access: EditorDep) -> PokerRead:
    """Open a poker round on one input of the feature."""
    return service.start_poker(access.session, actor=access.actor, feature_id=feature_id, data=data)


@router.get("/poker/{round_id}", response_model=PokerRead)
def read_poker(round_id: IdPath, access: ViewerDep) -> PokerRead:
    """A round as the caller may see it: only their own vote until it is revealed."""
    return service.poker_view(access.session, actor=access.actor, round_id=round_id)


@router.post("/poker/{round_id}/votes", response_model=PokerRead)
def vote_poker(round_id: IdPath, data: PokerVoteIn, access: EditorDep) -> PokerRead:
    """Cast or replace the caller's hidden estimate."""
    return service.vote_poker(
        access.session, actor=access.actor, round_id=round_id, value=data.value
    )


@router.post("/poker/{round_id}/reveal", response_model=PokerRead)
def reveal_poker(round_id: IdPath, access: EditorDep) -> PokerRead:
    """Reveal every vote, the median and the disagreement."""
    return service.reveal_poker(access.session, actor=access.actor, round_id=round_id)


@router.post("/poker/{round_id}/apply", response_model=FeatureInputs)
def apply_poker(round_id: IdPath, access: EditorDep) -> FeatureInputs:
    """Store the revealed round's result as the feature's estimate."""
    return service.apply_poker(access.session, actor=access.actor, round_id=round_id)


# --- user-defined frameworks --------------------------------------------------------------


@router.get("/user-frameworks", response_model=list[ScoringFrameworkRead])
def list_user_frameworks(access: ViewerDep) -> list[ScoringFrameworkRead]:
    """The workspace's weighted-scoring frameworks: criteria, weights, formula."""
    return frameworks.list_user_frameworks(access.session, workspace_id=access.workspace.id)


@router.post("/user-frameworks", response_model=ScoringFrameworkRead, status_code=201)
def create_user_framework(data: ScoringFrameworkCreate, access: EditorDep) -> ScoringFrameworkRead:
    """Create a framework; a formula error's problem has ``loc = ["formula", column]``."""
    return frameworks.create_user_framework(access.session, actor=access.actor, data=data)


@router.get("/user-frameworks/{framework_id}", response_model=ScoringFrameworkRead)
def read_user_framework(framework_id: IdPath, access: ViewerDep) -> ScoringFrameworkRead:
    """One user-defined framework."""
    return frameworks.get_user_framework(
        access.session, workspace_id=access.workspace.id, framework_id=framework_id
    )


@router.patch("/user-frameworks/{framework_id}", response_model=ScoringFrameworkRead)
def update_user_framework(
    framework_id: IdPath, data: ScoringFrameworkUpdate, access: EditorDep
) -> ScoringFrameworkRead:
    """Change a framework's title, criteria or formula (the slug stays)."""
    return frameworks.update_user_framework(
        access.session, actor=access.actor, framework_id=framework_id, data=data
    )


@router.delete("/user-frameworks/{framework_id}", status_code=204)
def delete_user_framework(framework_id: IdPath, access: EditorDep) -> Response:
    """Delete a user-defined framework."""
    frameworks.delete_user_framework(access.session, actor=access.actor, framework_id=framework_id)
    return Response(status_code=204)


# --- Kano answers ---------------------------------------------------------------------------


@router.get("/features/{feature_id}/kano", response_model=KanoSummary)
def kano_summary(feature_id: IdPath, access: ViewerDep) -> KanoSummary:
    """A feature's Kano answers, the tally, the category and the better/worse coefficients."""
    return kano_answers.kano_summary(
        access.session, workspace_id=access.workspace.id, feature_id=feature_id
    )


@router.post("/features/{feature_id}/kano", response_model=KanoSummary, status_code=201)
def add_kano_response(
    feature_id: IdPath, data: KanoResponseCreate, access: EditorDep
) -> KanoSummary:
    """Record one respondent's functional and dysfunctional answers."""
    return kano_answers.add_kano_response(
        access.session, actor=access.actor, feature_id=feature_id, data=data
    )


@router.delete("/kano/{response_id}", response_model=KanoSummary)
def delete_kano_response(response_id: IdPath, access: EditorDep) -> KanoSummary:
    """Delete one respondent's answers; returns the feature's new summary."""
    return kano_answers.delete_kano_response(
        access.session, actor=access.actor, response_id=response_id
    )


@router.post("/kano/import", response_model=KanoImportResult)
def import_kano(data: KanoImport, access: EditorDep) -> KanoImportResult:
    """Import survey answers (CSV with ``feature_id``); nothing is kept if a row is bad."""
    return kano_answers.import_kano_csv(access.session, actor=access.actor, text=data.csv)
