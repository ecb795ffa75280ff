"""Input and output shapes of the strategy area."""

import json
import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
    field_validator,
    model_validator,
)

from producthq.strategy.models import LinkTarget, MetricKind
from producthq.strategy.periods import parse_period
from producthq.strategy.progress import Direction, parse_confidence

Title = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Effort = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
MAX_BINDING_BYTES = 4000
METRIC_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _website(value: str) -> str:
    text = value.strip()
    if text and not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
        raise ValueError(f"website {text!r} must start with http:// or https://")
    return text


def _confidence(value: float | str | None) -> float | None:
    return parse_confidence(value)


Website = Annotated[str, StringConstraints(max_length=500), AfterValidator(_website)]
Confidence = Annotated[float | str | None, AfterValidator(_confidence)]


class Strict(BaseModel):
    """Base of every input: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- vision ------------------------------------------------------------------------------


class VisionUpdate(Strict):
    body: LongText
    summary: Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)] = ""


class VisionRevisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: int
    body: str
    summary: str
    author_id: int | None
    author_label: str
    created_at: datetime


class VisionRead(BaseModel):
    revision: VisionRevisionRead | None
    body_html: str = Field(description="The body rendered to safe HTML.")


class DiffLineRead(BaseModel):
    kind: str
    text: str


class VisionDiffRead(BaseModel):
    from_number: int
    to_number: int
    added: int
    removed: int
    lines: list[DiffLineRead]


# --- personas and competitors ------------------------------------------------------------


class PersonaCreate(Strict):
    name: Name
    description: LongText = ""


class PersonaUpdate(Strict):
    name: Name | None = None
    description: LongText | None = None


class PersonaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


class CompetitorCreate(Strict):
    name: Name
    description: LongText = ""
    website: Website = ""
    strengths: LongText = ""
    weaknesses: LongText = ""


class CompetitorUpdate(Strict):
    name: Name | None = None
    description: LongText | None = None
    website: Website | None = None
    strengths: LongText | None = None
    weaknesses: LongText | None = None


class CompetitorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str
    website: str
    strengths: str
    weaknesses: str
    created_at: datetime
    updated_at: datetime


# --- objectives and key results ----------------------------------------------------------


class ObjectiveCreate(Strict):
    title: Title
    description: LongText = ""
    owner_id: int | None = Field(default=None, ge=1)
    period: str = Field(max_length=32, description="A quarter like 2026-Q4, or a custom label.")
    period_start: date | None = Field(default=None, description="Needed for a custom period.")
    period_end: date | None = Field(default=None, description="Needed for a custom period.")
    confidence: Confidence = Field(default=None, description="0–1, or low / medium / high.")

    @model_validator(mode="after")
    def _period(self) -> Self:
        p = parse_period(self.period, self.period_start, self.period_end)
        self.period, self.period_start, self.period_end = p.label, p.start, p.end
        return self


class ObjectiveUpdate(Strict):
    title: Title | None = None
    description: LongText | None = None
    owner_id: int | None = Field(default=None, ge=1)
    period: str | None = Field(default=None, max_length=32)
    period_start: date | None = None
    period_end: date | None = None
    confidence: Confidence = None


class MetricBinding(Strict):
    """Which metric feeds a key result: a metric name (``dau``, ``mrr``…) and its parameters."""

    metric: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if not METRIC_NAME_RE.match(value):
            raise ValueError(
                f"metric {value!r} must be a lowercase name like dau or retention_week_4"
            )
        return value

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"params must be plain JSON: {exc}") from None
        if size > MAX_BINDING_BYTES:
            raise ValueError(f"params take {size} bytes; at most {MAX_BINDING_BYTES} are allowed")
        return value


class KeyResultCreate(Strict):
    title: Title
    metric_kind: MetricKind = MetricKind.number
    baseline: FiniteFloat
    target: FiniteFloat
    current: FiniteFloat | None = Field(default=None, description="Defaults to the baseline.")
    direction: Direction | None = Field(
        default=None, description="Defaults to decrease when target < baseline, else increase."
    )
    owner_id: int | None = Field(default=None, ge=1)
    confidence: Confidence = None
    metric_binding: MetricBinding | None = None


class KeyResultUpdate(Strict):
    title: Title | None = None
    metric_kind: MetricKind | None = None
    baseline: FiniteFloat | None = None
    target: FiniteFloat | None = None
    direction: Direction | None = None
    owner_id: int | None = Field(default=None, ge=1)
    confidence: Confidence = None
    metric_binding: MetricBinding | None = None


class CheckinCreate(Strict):
    value: FiniteFloat
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    checkin_date: date | None = Field(default=None, description="Defaults to today (UTC).")


class CheckinRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key_result_id: int
    checkin_date: date
    value: float
    note: str
    source: str
    author_id: int | None
    author_label: str
    created_at: datetime


class KeyResultRead(BaseModel):
    id: int
    objective_id: int
    title: str
    metric_kind: MetricKind
    baseline: float
    target: float
    current: float
    direction: Direction
    owner_id: int | None
    confidence: float | None
    metric_binding: dict[str, Any] | None
    refreshed_at: datetime | None
    progress: float = Field(description="(current - baseline) / (target - baseline) in [0, 1].")


class LinkCreate(Strict):
    target_type: LinkTarget
    target_id: int = Field(ge=1, le=2**31 - 1)
    title: Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)] = ""
    effort: Effort = 0.0


class LinkUpdate(Strict):
    title: Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)] | None = None
    effort: Effort | None = None


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    objective_id: int
    target_type: LinkTarget
    target_id: int
    title: str
    effort: float


class ObjectiveRead(BaseModel):
    id: int
    title: str
    description: str
    owner_id: int | None
    period: str
    period_start: date
    period_end: date
    confidence: float | None
    investment_pct: float | None
    progress: float | None = Field(description="Mean progress of the key results; null if none.")
    key_results: list[KeyResultRead]
    links: list[LinkRead]


# --- investment mix ----------------------------------------------------------------------


class InvestmentShare(Strict):
    objective_id: int = Field(ge=1)
    percent: Percent


class InvestmentMix(Strict):
    period: str = Field(min_length=1, max_length=32)
    items: list[InvestmentShare] = Field(min_length=1, max_length=200)


class InvestmentRow(BaseModel):
    objective_id: int
    title: str
    target_pct: float | None
    planned_effort: float
    planned_pct: float | None


class InvestmentRead(BaseModel):
    period: str
    total_effort: float
    rows: list[InvestmentRow]


class RefreshRead(BaseModel):
    updated: list[int]
    skipped: dict[int, str]
