"""Input and output shapes of prioritisation in a workspace."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]


class EstimateSet(BaseModel):
    """A point (``high`` left out or equal to ``low``) or a range stated at a confidence."""

    model_config = ConfigDict(extra="forbid")
    low: Finite
    high: Finite | None = None
    confidence: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.9
    note: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _ordered(self) -> "EstimateSet":
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high {self.high:g} is below low {self.low:g}")
        return self


InputSource = Literal["manual", "override", "evidence", "default", "missing"]


class InputValue(BaseModel):
    """The value a framework input takes for a feature, and where it comes from."""

    input: str
    description: str
    source: InputSource
    low: float | None = None
    high: float | None = None
    confidence: float | None = None
    median: float | None = None
    derived: float | None = None
    """The evidence-derived value, also when a manual override replaces it."""
    note: str = ""
    updated_at: datetime | None = None


class FeatureInputs(BaseModel):
    feature_id: int
    framework: str
    inputs: list[InputValue]


class EvidenceSummary(BaseModel):
    feature_id: int
    requests: int
    reach: int
    people: int
    companies: int
    demand: float
    arr_unknown: int
    segments: list[tuple[str, int]]
    months: list[str]
    monthly: list[int]
    slope: float
    trend: str


class FrameworkInfo(BaseModel):
    slug: str
    title: str
    inputs: list[dict[str, object]]
    weights: bool
    derived_inputs: list[str]


class RankRow(BaseModel):
    feature_id: int
    title: str
    status: str
    rank: int
    median: float
    low: float
    high: float
    p_top: float
    driver: str | None
    rank_swing: int
    label: str | None = None
    rank_before: int | None = None
    """With what-if weights: the rank at the medians with the framework's own weights."""
    places_up: int | None = None
    inputs: dict[str, InputValue] = Field(default_factory=dict)


class Unscored(BaseModel):
    feature_id: int
    title: str
    missing: list[str]


class RankingRead(BaseModel):
    framework: str
    method: str
    draws: int
    interval: float
    top: int
    weights: dict[str, float]
    rows: list[RankRow]
    unscored: list[Unscored]
    elapsed_ms: float


class PokerStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    framework: Annotated[str, Field(max_length=32)] = "rice"
    input: Annotated[str, Field(max_length=64)]


class PokerVoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Annotated[float, Field(ge=0.0, le=1e12, allow_inf_nan=False)]


class PokerVoteRead(BaseModel):
    member: str
    value: float


class PokerRead(BaseModel):
    id: int
    feature_id: int
    framework: str
    input: str
    revealed: bool
    voted: list[str]
    own: float | None
    votes: list[PokerVoteRead]
    median: float | None = None
    low: float | None = None
    high: float | None = None
    cv: float | None = None
    ratio: float | None = None
    disagreement: bool | None = None
    explain: list[str] = Field(default_factory=list)
