"""Tables of the strategy area: vision revisions, personas, competitors, OKRs and links."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from producthq.db import Base, TimestampMixin, UTCDateTime, WorkspaceScoped


class MetricKind(StrEnum):
    """How a key result's value is shown."""

    number = "number"
    percent = "percent"
    currency = "currency"


class LinkTarget(StrEnum):
    """What an objective can be linked to."""

    feature = "feature"
    roadmap_item = "roadmap_item"


class CheckinSource(StrEnum):
    """Who recorded a check-in."""

    manual = "manual"
    """Entered by a person (page, API or CLI)."""
    metric = "metric"
    """Written by a metric refresh of a bound key result."""


class VisionRevision(TimestampMixin, WorkspaceScoped, Base):
    """One saved version of the workspace's vision and strategy text (Markdown)."""

    __tablename__ = "vision_revisions"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    author_label: Mapped[str] = mapped_column(String(320), default="")


class Persona(TimestampMixin, WorkspaceScoped, Base):
    """A person the product is built for."""

    __tablename__ = "personas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Competitor(TimestampMixin, WorkspaceScoped, Base):
    """A competing product, with what it does well and badly."""

    __tablename__ = "competitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")


class Objective(TimestampMixin, WorkspaceScoped, Base):
    """An objective for one period (a quarter such as 2026-Q4, or custom dates)."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    period: Mapped[str] = mapped_column(String(32), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    investment_pct: Mapped[float | None] = mapped_column(Float, nullable=True)

    key_results: Mapped[list["KeyResult"]] = relationship(
        back_populates="objective",
        order_by="KeyResult.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    links: Mapped[list["ObjectiveLink"]] = relationship(
        order_by="ObjectiveLink.id", cascade="all, delete-orphan", passive_deletes=True
    )


class KeyResult(TimestampMixin, WorkspaceScoped, Base):
    """A measurable result of an objective, from baseline to target."""

    __tablename__ = "key_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    metric_kind: Mapped[str] = mapped_column(String(16), default=MetricKind.number.value)
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    current: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(16), default="increase")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    metric_binding: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    objective: Mapped[Objective] = relationship(back_populates="key_results")
    checkins: Mapped[list["KeyResultCheckin"]] = relationship(
        order_by="(KeyResultCheckin.checkin_date, KeyResultCheckin.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class KeyResultCheckin(TimestampMixin, WorkspaceScoped, Base):
    """A dated value of a key result, with a note; the latest one is the current value."""

    __tablename__ = "key_result_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(
        ForeignKey("key_results.id", ondelete="CASCADE"), index=True
    )
    checkin_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default=CheckinSource.manual.value)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    author_label: Mapped[str] = mapped_column(String(320), default="")


class ObjectiveLink(TimestampMixin, WorkspaceScoped, Base):
    """A feature or roadmap item that serves an objective, with the effort planned on it.

    ``title`` is a snapshot taken when linking, so the link reads well without joining tables
    of other areas.
    """

    __tablename__ = "objective_links"
    __table_args__ = (UniqueConstraint("objective_id", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    effort: Mapped[float] = mapped_column(Float, default=0.0)
