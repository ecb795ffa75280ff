"""Customers (companies and people), feedback items, themes, highlights and the inbound hook."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from producthq.db import Base, TimestampMixin, UTCDateTime, WorkspaceScoped, utcnow


class FeedbackSource(StrEnum):
    """Where a piece of feedback came from."""

    support_ticket = "support_ticket"
    sales_call = "sales_call"
    survey_comment = "survey_comment"
    app_review = "app_review"
    interview = "interview"
    portal_post = "portal_post"
    email = "email"
    chat = "chat"
    manual = "manual"


class FeedbackStatus(StrEnum):
    """Triage state of a feedback item."""

    new = "new"
    """Not looked at yet."""
    triaged = "triaged"
    """Read and tagged, not linked to a feature."""
    linked = "linked"
    """At least one highlight links it to a feature."""
    archived = "archived"
    """Kept for the record, hidden from the inbox by default."""


class Importance(StrEnum):
    """How much a highlighted passage matters to the customer (Productboard's +1 … +3)."""

    nice = "nice"
    important = "important"
    critical = "critical"


class SentimentLabel(StrEnum):
    """The sign of a sentiment score."""

    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class Company(TimestampMixin, WorkspaceScoped, Base):
    """A customer account: plan, segment and revenue weigh its feedback."""

    __tablename__ = "companies"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    domain: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    plan: Mapped[str | None] = mapped_column(String(100), nullable=True)
    segment: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    country: Mapped[str | None] = mapped_column(String(100), nullable=True)
    arr: Mapped[float | None] = mapped_column(Float, nullable=True)
    mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    lifecycle_stage: Mapped[str | None] = mapped_column(String(64), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # External ids are unique per workspace; NULLs never collide on SQLite nor PostgreSQL.
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Person(TimestampMixin, WorkspaceScoped, Base):
    """Someone who gave feedback, usually at a company."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Theme(TimestampMixin, WorkspaceScoped, Base):
    """A recurring topic in the feedback, found by clustering or named by a person.

    ``renamed_by_user`` and ``pinned`` keep a person's edits across re-clustering;
    ``merged_into_id`` points to the theme that absorbed this one.
    """

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    renamed_by_user: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), nullable=True
    )
    # "active", or "retired" when a run found it no more (or it was merged away).
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    # Ids of the items nearest the centroid at the last run, best first.
    representative_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")


class FeedbackItem(TimestampMixin, WorkspaceScoped, Base):
    """One customer voice: a ticket, a call note, a review, an e-mail."""

    __tablename__ = "feedback_items"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "external_id"),
        Index("ix_feedback_items_ws_occurred", "workspace_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), nullable=True, index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=FeedbackStatus.new.value, index=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # sha256 of the identifying raw values; makes imports without ids idempotent.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)
    sentiment_label: Mapped[str | None] = mapped_column(String(16), nullable=True)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), nullable=True, index=True
    )
    duplicate_group: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # Set when a person put the item in its theme (merge, split, move): re-runs leave it there.
    theme_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Highlight(TimestampMixin, WorkspaceScoped, Base):
    """A passage of a feedback item linked to a feature, with its importance."""

    __tablename__ = "highlights"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("features.id", ondelete="CASCADE"), index=True
    )
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    importance: Mapped[str] = mapped_column(String(16), default=Importance.nice.value)


class FeedbackWebhook(TimestampMixin, WorkspaceScoped, Base):
    """The per-workspace secret of the inbound feedback hook (only its hash is kept)."""

    __tablename__ = "feedback_webhooks"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
