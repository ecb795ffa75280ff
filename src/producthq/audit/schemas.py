"""Output shapes of the audit log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    summary: str
    changes: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    total: int
