"""Tables of the roadmap area: the product organisation, roadmap items, sharing, snapshots.

``features`` belongs to the catalog area; a roadmap item may point at one (``feature_id``).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from producthq.db import Base, TimestampMixin, UTCDateTime, WorkspaceScoped


class PersonRole(StrEnum):
    """What a person does in the product organisation."""

    cpo = "cpo"
    director = "director"
    pm = "pm"
    designer = "designer"
    engineer = "engineer"
    analyst = "analyst"


class PeriodKind(StrEnum):
    """How a planning period was cut."""

    quarter = "quarter"
    sprint = "sprint"
    custom = "custom"


class ItemStatus(StrEnum):
    """Where a roadmap item stands."""

    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    at_risk = "at_risk"


class BoardColumn(StrEnum):
    """The now / next / later horizon of an item on the board."""

    now = "now"
    next = "next"
    later = "later"


class Audience(StrEnum):
    """Who a share link is for; ``board`` and ``customers`` see no internal fields."""

    internal = "internal"
    board = "board"
    customers = "customers"


class ScenarioStatus(StrEnum):
    """Where a saved optimiser scenario is."""

    draft = "draft"
    queued = "queued"
    solved = "solved"
    failed = "failed"


class ProductArea(TimestampMixin, WorkspaceScoped, Base):
    """A part of the product a group of teams owns (e.g. "Core platform")."""

    __tablename__ = "product_areas"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Team(TimestampMixin, WorkspaceScoped, Base):
    """A delivery team; ``key`` is its stable id in optimiser scenarios."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_areas.id", ondelete="SET NULL"), nullable=True, index=True
    )


class OrgPerson(TimestampMixin, WorkspaceScoped, Base):
    """Someone in the product organisation; ``fte`` is the share of a full week they give."""

    __tablename__ = "org_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    fte: Mapped[float] = mapped_column(Float, default=1.0)


class Period(TimestampMixin, WorkspaceScoped, Base):
    """A planning period (a quarter, a sprint or a custom span); both dates inclusive."""

    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default=PeriodKind.quarter.value)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)


class Holiday(TimestampMixin, WorkspaceScoped, Base):
    """Days off for one person, or for a whole team; both dates inclusive."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_people.id", ondelete="CASCADE"), nullable=True, index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), nullable=True, index=True
    )
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class CapacityOverride(TimestampMixin, WorkspaceScoped, Base):
    """A team's capacity in a period set by hand, in person-weeks, instead of the computed one."""

    __tablename__ = "capacity_overrides"
    __table_args__ = (UniqueConstraint("workspace_id", "team_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"), index=True)
    person_weeks: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(200), default="")


class Release(TimestampMixin, WorkspaceScoped, Base):
    """A named release on a date."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    release_date: Mapped[date] = mapped_column(Date)


class RoadmapItem(TimestampMixin, WorkspaceScoped, Base):
    """One thing on the roadmap: a board card and a timeline bar.

    ``effort`` maps team keys to person-weeks (if that team did it) and ``value`` is the score
    the optimiser maximises; both are only needed for scenarios.
    """

    __tablename__ = "roadmap_items"
    # Ids are never reused (SQLite would reuse the highest after a delete): snapshots and
    # scenarios refer to items by id.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    feature_id: Mapped[int | None] = mapped_column(
        ForeignKey("features.id", ondelete="SET NULL"), nullable=True, index=True
    )
    objective: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.not_started.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    column: Mapped[str] = mapped_column(String(8), default=BoardColumn.later.value, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    start_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("periods.id", ondelete="SET NULL"), nullable=True
    )
    end_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("periods.id", ondelete="SET NULL"), nullable=True
    )
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    effort: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)


class ItemDependency(WorkspaceScoped, Base):
    """``item_id`` depends on ``depends_on_id``: that one must end first."""

    __tablename__ = "roadmap_dependencies"
    __table_args__ = (UniqueConstraint("item_id", "depends_on_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_items.id", ondelete="CASCADE"), index=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_items.id", ondelete="CASCADE"), index=True
    )


class ShareLink(TimestampMixin, WorkspaceScoped, Base):
    """A revocable, read-only link to the board; only the token's SHA-256 is stored."""

    __tablename__ = "roadmap_share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16), default=Audience.internal.value)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class RoadmapSnapshot(TimestampMixin, WorkspaceScoped, Base):
    """A saved baseline of the roadmap: the items as they were, as JSON."""

    __tablename__ = "roadmap_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class RoadmapScenario(TimestampMixin, WorkspaceScoped, Base):
    """An optimiser scenario (its JSON format) and, once solved, its plan."""

    __tablename__ = "roadmap_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ScenarioStatus.draft.value)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
