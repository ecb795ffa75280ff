"""Tables of the analytics area in the application database (events live in the events store)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from producthq.db import Base, TimestampMixin, UTCDateTime, WorkspaceScoped


class WriteKey(TimestampMixin, WorkspaceScoped, Base):
    """A per-workspace capture key (Segment's write key); only its hash is stored."""

    __tablename__ = "analytics_write_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SavedInsight(TimestampMixin, WorkspaceScoped, Base):
    """An insight saved to a dashboard: a metric kind and the query string of its options."""

    __tablename__ = "analytics_saved_insights"

    id: Mapped[int] = mapped_column(primary_key=True)
    dashboard: Mapped[str] = mapped_column(String(100), default="Main")
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class Segment(TimestampMixin, WorkspaceScoped, Base):
    """A saved segment: a name and a definition (``segments.py``'s JSON form)."""

    __tablename__ = "analytics_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
