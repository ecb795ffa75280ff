"""Input and output shapes of jobs."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    status: str
    progress: int
    message: str
    error: str | None
    params: dict[str, Any]
    result: dict[str, Any] | None
    attempts: int
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobRead]
    total: int
