"""Pydantic input/output of the analytics API."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WriteKeyCreate(BaseModel):
    """A new write key's name."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="write key", min_length=1, max_length=200)


class WriteKeyRead(BaseModel):
    """A write key as listed (its secret is never shown again)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class WriteKeyCreated(WriteKeyRead):
    """A write key just created, with its secret (shown once)."""

    secret: str


class InsightRead(BaseModel):
    """A computed insight: METRICS.md's columns, the rows, the range and the chart."""

    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    start: date
    end: date
    breakdown: str | None
    breakdown_values: list[str]
    chart: dict[str, Any] | None = None


class StoreStatusRead(BaseModel):
    """Events of the workspace in the store, and captured messages waiting for the loader."""

    events: int
    backlog: int
    kinds: list[str]


class ImportStarted(BaseModel):
    """An import job was queued."""

    job_id: int
    job_url: str


class RefreshRead(BaseModel):
    """Key results refreshed from metrics, and the ones skipped with the reason."""

    updated: list[int]
    skipped: dict[int, str]


class SavedInsightCreate(BaseModel):
    """An insight to save: its kind, the query string of its options, and the dashboard."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=32)
    query: str = Field(default="", max_length=2000, description="e.g. from=2026-01-01&period=week")
    dashboard: str = Field(default="Main", min_length=1, max_length=100)


class SavedInsightRead(BaseModel):
    """A saved insight."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    dashboard: str
    name: str
    kind: str
    query: str
    created_at: datetime


class SegmentCreate(BaseModel):
    """A new segment: a name and a definition (see docs/analytics-segments.md)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    definition: dict[str, Any] = Field(
        description='e.g. {"match": "all", "conditions": [{"type": "user", "key": "plan", '
        '"op": "eq", "value": "pro"}]}'
    )


class SegmentUpdate(BaseModel):
    """Changes to a segment (every field optional)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    definition: dict[str, Any] | None = None


class SegmentRead(BaseModel):
    """A saved segment."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class SegmentMembersRead(BaseModel):
    """The users in a segment now."""

    segment_id: int | None
    users: int
    user_ids: list[str]
