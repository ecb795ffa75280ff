"""Input and output shapes of the feature catalogue."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from producthq.catalog.models import FeatureStatus

Title = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Description = Annotated[str, StringConstraints(max_length=20000)]


class FeatureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    status: FeatureStatus = FeatureStatus.idea


class FeatureUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    status: FeatureStatus | None = None


class FeatureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    status: FeatureStatus
    created_at: datetime
    updated_at: datetime
