"""Input and output shapes of the feature catalogue."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from producthq.catalog.models import FeatureStatus

Title = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Description = Annotated[str, StringConstraints(max_length=20000)]
Owner = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
MAX_TAGS = 30
TAG_LENGTH = 50


def clean_tags(tags: list[str]) -> list[str]:
    """Strip, drop empty and repeated tags (case-insensitive), keep the first spelling.

    Examples:
        >>> clean_tags([" sso", "SSO", "", "export"])
        ['sso', 'export']
    """
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        t = tag.strip()
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return out


Tags = Annotated[
    list[Annotated[str, StringConstraints(max_length=TAG_LENGTH)]],
    Field(max_length=MAX_TAGS),
    AfterValidator(clean_tags),
]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: Description | None = None


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str


class ComponentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: Id
    name: Name


class ComponentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None


class ComponentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    product_id: int
    name: str


class FeatureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    status: FeatureStatus = FeatureStatus.idea
    product_id: Id | None = None
    component_id: Id | None = None
    owner: Owner | None = None
    tags: Tags = Field(default_factory=list)
    external_id: Annotated[str, StringConstraints(max_length=200)] | None = None


class FeatureUpdate(BaseModel):
    """Every field optional; ``product_id``/``component_id``/``owner`` set to null clear them."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    status: FeatureStatus | None = None
    product_id: Id | None = None
    component_id: Id | None = None
    owner: Owner | None = None
    tags: Tags | None = None


class FeatureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    status: FeatureStatus
    product_id: int | None = None
    component_id: int | None = None
    owner: str | None = None
    tags: list[str] = Field(default_factory=list)
    external_id: str | None = None
    created_at: datetime
    updated_at: datetime


class FeatureFilter(BaseModel):
    """Filters of the feature list (all optional, combined with AND)."""

    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    status: FeatureStatus | None = None
    product_id: Id | None = None
    component_id: Id | None = None
    tag: Annotated[str, StringConstraints(max_length=TAG_LENGTH)] | None = None
    objective_id: Id | None = None


class FeaturePage(BaseModel):
    items: list[FeatureRead]
    total: int
    offset: int


class ObjectiveRef(BaseModel):
    objective_id: int
    title: str
    period: str
    link_id: int


class EvidenceQuote(BaseModel):
    highlight_id: int
    feedback_item_id: int
    quote: str
    importance: str
    occurred_at: datetime
    company_id: int | None
    company: str | None
    segment: str | None
    arr: float | None
    person_id: int | None
    person: str | None


class FeatureDetail(FeatureRead):
    product: str | None = None
    component: str | None = None
    objectives: list[ObjectiveRef] = Field(default_factory=list)
    quotes: list[EvidenceQuote] = Field(default_factory=list)


class ObjectiveLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    objective_id: Id


class ImportRequest(BaseModel):
    """A CSV file sent as text, with an optional preset and column -> field overrides."""

    model_config = ConfigDict(extra="forbid")
    csv: Annotated[str, StringConstraints(max_length=5_000_000)]
    preset: Annotated[str, StringConstraints(max_length=32)] | None = None
    mapping: dict[
        Annotated[str, StringConstraints(max_length=300)],
        Annotated[str, StringConstraints(max_length=64)],
    ] = Field(default_factory=dict, max_length=200)
    dry_run: bool = False


class ImportResult(BaseModel):
    created: int
    products_created: int
    components_created: int
    estimates: int
    mapping: dict[str, str]
    dry_run: bool
    feature_ids: list[int]
