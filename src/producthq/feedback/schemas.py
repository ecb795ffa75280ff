"""Input and output shapes of the feedback hub."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from producthq.feedback.models import FeedbackSource, FeedbackStatus, Importance, SentimentLabel

Name = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Short = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


def _blank_is_none(value: str | None) -> str | None:
    # An empty external id means "none": two blanks must not collide on the unique key.
    return value or None


ExternalId = Annotated[Short | None, AfterValidator(_blank_is_none)]
Url = Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)]
Money = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _utc(value: datetime) -> datetime:
    """Read a time without a zone as UTC (as imports do)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


When = Annotated[datetime, AfterValidator(_utc)]


def _clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        t = tag.strip().lower()
        if t and t not in seen:
            seen.append(t)
    return seen


Tag = Annotated[str, StringConstraints(max_length=64)]
Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(_clean_tags)]
CustomFields = Annotated[dict[str, Any], Field(max_length=100)]


class Strict(BaseModel):
    """Base of every input: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- companies and people ----------------------------------------------------------------


class CompanyCreate(Strict):
    name: Name
    domain: Short | None = None
    plan: Short | None = None
    segment: Short | None = None
    country: Short | None = None
    arr: Money | None = None
    mrr: Money | None = None
    lifecycle_stage: Short | None = None
    owner: Short | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    external_id: ExternalId = None


class CompanyUpdate(Strict):
    name: Name | None = None
    domain: Short | None = None
    plan: Short | None = None
    segment: Short | None = None
    country: Short | None = None
    arr: Money | None = None
    mrr: Money | None = None
    lifecycle_stage: Short | None = None
    owner: Short | None = None
    custom_fields: CustomFields | None = None
    external_id: ExternalId = None


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    domain: str | None
    plan: str | None
    segment: str | None
    country: str | None
    arr: float | None
    mrr: float | None
    lifecycle_stage: str | None
    owner: str | None
    custom_fields: dict[str, Any]
    external_id: str | None
    created_at: datetime
    updated_at: datetime


class CompanyPage(BaseModel):
    items: list[CompanyRead]
    total: int
    cursor: str | None = Field(description="Pass back as `cursor` for the next page.")


class CompanyMerge(Strict):
    merge_ids: Annotated[list[Id], Field(min_length=1, max_length=100)] = Field(
        description="Companies folded into this one, then deleted."
    )


class PersonCreate(Strict):
    name: Short = ""
    email: Annotated[str, StringConstraints(max_length=320, strip_whitespace=True)] | None = None
    company_id: Id | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    external_id: ExternalId = None


class PersonUpdate(Strict):
    name: Short | None = None
    email: Annotated[str, StringConstraints(max_length=320, strip_whitespace=True)] | None = None
    company_id: Id | None = None
    custom_fields: CustomFields | None = None
    external_id: ExternalId = None


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str | None
    company_id: int | None
    custom_fields: dict[str, Any]
    external_id: str | None
    created_at: datetime


class PersonPage(BaseModel):
    items: list[PersonRead]
    total: int
    cursor: str | None


# --- feedback ----------------------------------------------------------------------------


class FeedbackCreate(Strict):
    text: Text
    title: Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] = ""
    source: FeedbackSource = FeedbackSource.manual
    occurred_at: When | None = None
    source_url: Url | None = None
    tags: Tags = Field(default_factory=list)
    person_id: Id | None = None
    company_id: Id | None = None
    author_email: Annotated[str, StringConstraints(max_length=320)] | None = Field(
        default=None, description="Finds or creates the person with this e-mail."
    )
    author_name: Short | None = None
    external_id: ExternalId = None
    extra: CustomFields = Field(default_factory=dict)


class FeedbackUpdate(Strict):
    text: Text | None = None
    title: Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] | None = None
    source: FeedbackSource | None = None
    status: FeedbackStatus | None = None
    occurred_at: When | None = None
    source_url: Url | None = None
    tags: Tags | None = None
    person_id: Id | None = None
    company_id: Id | None = None
    theme_id: Id | None = None


class HighlightRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    feedback_item_id: int
    feature_id: int
    start: int = Field(validation_alias="start_offset")
    end: int = Field(validation_alias="end_offset")
    quote: str
    importance: Importance
    created_at: datetime


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    text: str
    source: FeedbackSource
    status: FeedbackStatus
    occurred_at: datetime
    source_url: str | None
    tags: list[str]
    person_id: int | None
    company_id: int | None
    external_id: str | None
    sentiment: float | None
    sentiment_label: SentimentLabel | None
    theme_id: int | None
    duplicate_group: int | None
    extra: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class FeedbackPage(BaseModel):
    items: list[FeedbackRead]
    total: int
    cursor: str | None = Field(description="Pass back as `cursor` for the next page.")


class FeedbackFilter(BaseModel):
    """Filters of the feedback list (API query, inbox GET parameters, CLI export)."""

    source: FeedbackSource | None = None
    status: FeedbackStatus | None = None
    include_archived: bool = False
    company_id: Id | None = None
    person_id: Id | None = None
    segment: Short | None = None
    theme_id: Id | None = None
    sentiment: SentimentLabel | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] | None = None
    tag: Tag | None = None


class FeedbackBulk(Strict):
    ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]
    status: FeedbackStatus | None = None
    add_tags: Tags = Field(default_factory=list)
    remove_tags: Tags = Field(default_factory=list)


class BulkResult(BaseModel):
    updated: int


class HighlightCreate(Strict):
    feature_id: Id
    start: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    end: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    quote: Annotated[str, StringConstraints(max_length=100_000)] | None = Field(
        default=None, description="Instead of offsets: the passage, found in the text."
    )
    importance: Importance = Importance.nice

    @model_validator(mode="after")
    def _offsets_or_quote(self) -> "HighlightCreate":
        has_offsets = self.start is not None and self.end is not None
        if not has_offsets and not (self.quote and self.quote.strip()):
            raise ValueError("give start and end offsets, or the quote to find in the text")
        return self


# --- webhook and imports -----------------------------------------------------------------


class WebhookStatus(BaseModel):
    configured: bool
    prefix: str | None
    last_used_at: datetime | None
    url: str


class WebhookSecret(WebhookStatus):
    secret: str = Field(description="Send it in X-ProductHQ-Webhook-Secret; shown once.")


class WebhookPayload(Strict):
    """One feedback item pushed to the inbound hook (or a list under ``items``)."""

    text: Text | None = None
    title: Annotated[str, StringConstraints(max_length=500)] = ""
    source: FeedbackSource = FeedbackSource.chat
    occurred_at: When | None = None
    source_url: Url | None = None
    tags: Tags = Field(default_factory=list)
    author_email: Annotated[str, StringConstraints(max_length=320)] | None = None
    author_name: Short | None = None
    company_name: Short | None = None
    company_domain: Short | None = None
    external_id: ExternalId = None
    items: Annotated[list["WebhookPayload"], Field(max_length=500)] | None = None


class WebhookResult(BaseModel):
    created: int
    skipped: int
    ids: list[int]


class ImportStarted(BaseModel):
    job_id: int
    job_url: str


# --- themes ------------------------------------------------------------------------------


class TrendRead(BaseModel):
    """The Mann–Kendall test on a theme's weekly share of feedback."""

    direction: str = Field(description="growing, shrinking, stable or not_enough_data")
    tau: float
    p_value: float
    weeks: int


class ThemeRead(BaseModel):
    """A theme with its headline figures."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    keywords: list[str]
    pinned: bool
    renamed_by_user: bool
    status: str
    merged_into_id: int | None
    size: int
    companies: int
    arr: float
    sentiment: dict[str, int]
    trend: TrendRead


class WeekVolumeRead(BaseModel):
    """Items of the theme and of all feedback in one week."""

    model_config = ConfigDict(from_attributes=True)

    week: str
    count: int
    total: int


class CompanyShareRead(BaseModel):
    """A company behind a theme."""

    model_config = ConfigDict(from_attributes=True)

    company_id: int
    name: str
    arr: float
    segment: str | None
    items: int


class SegmentIndexRead(BaseModel):
    """How much a theme over-represents a segment (exact binomial test)."""

    model_config = ConfigDict(from_attributes=True)

    segment: str
    count: int
    expected: float
    lift: float
    p_value: float
    over_indexed: bool


class ThemeDetailRead(ThemeRead):
    """A theme with volume over time, companies, segments and representative quotes."""

    volume: list[WeekVolumeRead]
    top_companies: list[CompanyShareRead]
    segments: list[SegmentIndexRead]
    quotes: list["FeedbackRead"]


class ThemeUpdate(Strict):
    """Rename and/or pin a theme; a hand-given name survives re-runs."""

    label: Short | None = None
    pinned: bool | None = None


class ThemeMerge(Strict):
    """Themes to merge into the one in the path."""

    merge_ids: list[Id] = Field(min_length=1, max_length=100)


class ThemeSplit(Strict):
    """Split a theme: the items named move to a new theme (none: an automatic half)."""

    item_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    label: Short | None = None


class AnalysisStart(Strict):
    """Options of an analysis job."""

    incremental: bool = False


class SimilarRead(BaseModel):
    """An item and its cosine similarity to the query."""

    item: FeedbackRead
    similarity: float


class SuggestionRead(BaseModel):
    """A feature the item probably belongs to, and the similar items that say so."""

    feature_id: int
    title: str
    score: float
    because_of: list[int]
