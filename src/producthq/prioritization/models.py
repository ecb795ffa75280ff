"""Tables of prioritisation: estimates, poker rounds, user frameworks and Kano answers."""

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from producthq.db import Base, TimestampMixin, WorkspaceScoped


class FeatureEstimate(TimestampMixin, WorkspaceScoped, Base):
    """One framework input of one feature: a point (``low == high``) or a range with confidence.

    For an input that evidence can derive (RICE reach), a stored estimate is an override of the
    derived value, and pages and the API say so.
    """

    __tablename__ = "feature_estimates"
    __table_args__ = (UniqueConstraint("feature_id", "framework", "input"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("features.id", ondelete="CASCADE"), index=True
    )
    framework: Mapped[str] = mapped_column(String(32))
    input: Mapped[str] = mapped_column(String(64))
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float, default=0.9)
    note: Mapped[str] = mapped_column(Text, default="")


class PokerSession(TimestampMixin, WorkspaceScoped, Base):
    """A priority-poker round: members estimate one input of one feature, hidden until revealed."""

    __tablename__ = "poker_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("features.id", ondelete="CASCADE"), index=True
    )
    framework: Mapped[str] = mapped_column(String(32))
    input: Mapped[str] = mapped_column(String(64))
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)


class PokerVote(TimestampMixin, WorkspaceScoped, Base):
    """One member's estimate in a poker round (one per member; a new vote replaces it)."""

    __tablename__ = "poker_votes"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("poker_rounds.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    member: Mapped[str] = mapped_column(String(320))
    value: Mapped[float] = mapped_column(Float)


class ScoringFramework(TimestampMixin, WorkspaceScoped, Base):
    """A user-defined weighted-scoring framework of a workspace.

    ``criteria`` is a list of ``{"name", "weight", "kind", "description"}`` (kind ``benefit``:
    more is better, ``cost``: less is better); ``formula`` is the user's formula text, empty for
    the weighted sum. The workspace's registry builds a ``WeightedScoring`` from the row.
    """

    __tablename__ = "scoring_frameworks"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    formula: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class KanoResponse(TimestampMixin, WorkspaceScoped, Base):
    """One respondent's paired Kano answers about one feature.

    The respondent is a person of the feedback hub (``person_id``) or a free-text name.
    """

    __tablename__ = "kano_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    feature_id: Mapped[int] = mapped_column(
        ForeignKey("features.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    respondent: Mapped[str] = mapped_column(String(200), default="")
    functional: Mapped[str] = mapped_column(String(16))
    dysfunctional: Mapped[str] = mapped_column(String(16))
