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


class RequestingCustomer(BaseModel):
    company_id: int
    name: str
    segment: str | None
    arr: float | None
    requests: int


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
    recent: int = 0
    earlier: int = 0
    momentum: float = 1.0
    p_value: float | None = None
    trend_test: str = ""
    customers: list[RequestingCustomer] = Field(default_factory=list)


class FrameworkInfo(BaseModel):
    slug: str
    title: str
    inputs: list[dict[str, object]]
    weights: bool
    derived_inputs: list[str]
    default_weights: dict[str, float] = Field(default_factory=dict)
    """What-if weights that leave the framework as it is: 1 per input, or a user-defined
    framework's own criterion weights (its what-if weights replace them)."""
    user_defined: bool = False
    id: int | None = None
    """The stored framework's id, for user-defined frameworks."""


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
    worse: float | None = None
    """Kano only: Timko's worse coefficient at the median counts (the score is better)."""
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


# --- user-defined frameworks --------------------------------------------------------------

Identifier = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
CriterionKind = Literal["benefit", "cost"]


class CriterionIn(BaseModel):
    """One criterion: a name the formula uses, its weight and whether more is better."""

    model_config = ConfigDict(extra="forbid")
    name: Identifier
    weight: Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)] = 1.0
    kind: CriterionKind = "benefit"
    """``benefit``: more is better; ``cost``: less is better (effort, risk)."""
    description: Annotated[str, Field(max_length=300)] = ""


class ScoringFrameworkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Identifier
    title: Annotated[str, Field(min_length=1, max_length=200)]
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=30)]
    formula: Annotated[str, Field(max_length=2000)] = ""
    """Empty: the weighted sum of benefits minus the weighted sum of costs."""


class ScoringFrameworkUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=30)] | None = None
    formula: Annotated[str, Field(max_length=2000)] | None = None


class ScoringFrameworkRead(BaseModel):
    id: int
    slug: str
    title: str
    formula: str
    effective_formula: str
    """The formula the scores use (the weighted sum when ``formula`` is empty)."""
    criteria: list[CriterionIn]
    created_at: datetime
    updated_at: datetime


# --- Kano answers --------------------------------------------------------------------------

KanoAnswerText = Annotated[str, Field(min_length=1, max_length=40)]


class KanoResponseCreate(BaseModel):
    """A respondent's functional and dysfunctional answers (like, expect, neutral, tolerate,
    dislike); the respondent is a person of the feedback hub or a free-text name."""

    model_config = ConfigDict(extra="forbid")
    functional: KanoAnswerText
    dysfunctional: KanoAnswerText
    person_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    respondent: Annotated[str, Field(max_length=200)] = ""


class KanoResponseRead(BaseModel):
    id: int
    feature_id: int
    person_id: int | None
    respondent: str
    functional: str
    dysfunctional: str
    category: str
    created_at: datetime


class KanoSummary(BaseModel):
    feature_id: int
    responses: list[KanoResponseRead]
    counts: dict[str, int]
    total: int
    category: str | None
    better: float | None
    worse: float | None


class KanoImport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: Annotated[str, Field(max_length=5_000_000)]


class KanoImportResult(BaseModel):
    created: int
    features: list[int]
