"""Pydantic input and output of the roadmap area."""

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from producthq.roadmap.models import (
    Audience,
    BoardColumn,
    ItemStatus,
    PeriodKind,
    PersonRole,
    ScenarioStatus,
)

Name = Field(min_length=1, max_length=200)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- organisation ------------------------------------------------------------------------


class AreaCreate(BaseModel):
    """A new product area."""

    name: str = Name
    description: str = Field(default="", max_length=2000)


class AreaRead(_Read):
    """A product area."""

    id: int
    name: str
    description: str


class TeamCreate(BaseModel):
    """A new team; ``key`` (its id in scenarios) defaults to a slug of the name."""

    name: str = Name
    key: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    area_id: int | None = None


class TeamUpdate(BaseModel):
    """Fields of a team to change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    area_id: int | None = None


class TeamRead(_Read):
    """A team."""

    id: int
    key: str
    name: str
    area_id: int | None


class PersonCreate(BaseModel):
    """A new person in the product organisation."""

    name: str = Name
    role: PersonRole = PersonRole.engineer
    team_id: int | None = None
    skills: list[str] = Field(default_factory=list, max_length=50)
    fte: float = Field(default=1.0, ge=0, le=1)


class PersonUpdate(BaseModel):
    """Fields of a person to change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: PersonRole | None = None
    team_id: int | None = None
    skills: list[str] | None = Field(default=None, max_length=50)
    fte: float | None = Field(default=None, ge=0, le=1)


class PersonRead(_Read):
    """A person."""

    id: int
    name: str
    role: PersonRole
    team_id: int | None
    skills: list[str]
    fte: float


class PeriodCreate(BaseModel):
    """A planning period; both dates inclusive."""

    name: str = Field(min_length=1, max_length=64)
    kind: PeriodKind = PeriodKind.quarter
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class PeriodRead(_Read):
    """A planning period."""

    id: int
    name: str
    kind: PeriodKind
    start: date
    end: date


class HolidayCreate(BaseModel):
    """Days off for one person or one team (exactly one of the two)."""

    person_id: int | None = None
    team_id: int | None = None
    start: date
    end: date
    note: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if (self.person_id is None) == (self.team_id is None):
            raise ValueError("give exactly one of person_id and team_id")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class HolidayRead(_Read):
    """A holiday."""

    id: int
    person_id: int | None
    team_id: int | None
    start: date
    end: date
    note: str


class CapacitySet(BaseModel):
    """Set (or, with ``person_weeks`` null, clear) a team's capacity in a period by hand."""

    team_id: int
    period_id: int
    person_weeks: float | None = Field(default=None, ge=0, le=100000)
    note: str = Field(default="", max_length=200)


class CapacityRead(BaseModel):
    """A team's capacity in a period, in person-weeks."""

    team_id: int
    team: str
    period_id: int
    period: str
    computed: float
    override: float | None
    effective: float


# --- items -------------------------------------------------------------------------------


class ReleaseCreate(BaseModel):
    """A new release."""

    name: str = Name
    release_date: date


class ReleaseRead(_Read):
    """A release."""

    id: int
    name: str
    release_date: date


class _ItemFields(BaseModel):
    description: str | None = Field(default=None, max_length=20000)
    feature_id: int | None = None
    objective: str | None = Field(default=None, max_length=200)
    team_id: int | None = None
    owner: str | None = Field(default=None, max_length=200)
    status: ItemStatus | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    notes: str | None = Field(default=None, max_length=20000)
    column: BoardColumn | None = None
    start_period_id: int | None = None
    end_period_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    release_id: int | None = None
    value: float | None = Field(default=None, ge=0)
    effort: dict[str, float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        for team, weeks in (self.effort or {}).items():
            if weeks < 0:
                raise ValueError(f"effort of team {team!r} is {weeks}; it must be 0 or more")
        return self


class ItemCreate(_ItemFields):
    """A new roadmap item (it goes to the end of its column)."""

    title: str = Field(min_length=1, max_length=300)


class ItemUpdate(_ItemFields):
    """Fields of an item to change; a field left out stays as it is."""

    title: str | None = Field(default=None, min_length=1, max_length=300)


class ItemRead(_Read):
    """A roadmap item."""

    id: int
    title: str
    description: str
    feature_id: int | None
    objective: str
    team_id: int | None
    owner: str
    status: ItemStatus
    progress: int
    notes: str
    column: BoardColumn
    position: int
    start_period_id: int | None
    end_period_id: int | None
    start_date: date | None
    end_date: date | None
    release_id: int | None
    value: float | None
    effort: dict[str, float]
    depends_on: list[int] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class ItemMove(BaseModel):
    """Put an item in a column at a position (0 is the top)."""

    column: BoardColumn
    position: int = Field(ge=0, le=100000)


class DependencyCreate(BaseModel):
    """The item waits for ``depends_on_id``."""

    depends_on_id: int


# --- sharing, snapshots, scenarios -------------------------------------------------------


class ShareLinkCreate(BaseModel):
    """A new read-only link to the board."""

    label: str = Field(default="", max_length=200)
    audience: Audience = Audience.internal
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ShareLinkRead(_Read):
    """A share link (never its token)."""

    id: int
    label: str
    prefix: str
    audience: Audience
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class ShareLinkCreated(ShareLinkRead):
    """A new share link: its URL is in this response only."""

    url: str


class SnapshotCreate(BaseModel):
    """Save the roadmap as it is now."""

    name: str = Name


class SnapshotRead(_Read):
    """A saved snapshot."""

    id: int
    name: str
    created_at: datetime
    item_count: int = 0


class SnapshotDetail(SnapshotRead):
    """A snapshot with its items."""

    items: list[dict[str, Any]]


class ScenarioCreate(BaseModel):
    """Build a scenario from the workspace's items, teams, periods and capacity."""

    name: str = Name
    capacity_percent: float = Field(default=100.0, gt=0, le=1000)


class ScenarioRun(BaseModel):
    """Run the optimiser on a saved scenario."""

    time_limit: float = Field(default=10.0, ge=0.1, le=600)
    explain: bool = Field(
        default=True,
        description="Also explain the plan: binding capacity, value of one more person-week, "
        "what enters and drops with +-percent % capacity.",
    )
    percent: float = Field(default=10.0, gt=0, le=100)


class ScenarioRead(_Read):
    """A saved scenario and what is known of its plan."""

    id: int
    name: str
    status: ScenarioStatus
    job_id: int | None
    error: str
    applied_at: datetime | None
    created_at: datetime
    objective: float | None = None


class ScenarioDetail(ScenarioRead):
    """A scenario with its JSON and its plan JSON."""

    scenario: dict[str, Any]
    plan: dict[str, Any] | None


class ScenarioJob(BaseModel):
    """The job that runs the optimiser."""

    scenario_id: int
    job_id: int


class PlanApplied(BaseModel):
    """What applying a plan changed."""

    updated: int
    created: int
