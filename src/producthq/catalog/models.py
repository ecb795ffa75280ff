"""Features and ideas: the minimal record that feedback links to (issue 5 extends it)."""

from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from producthq.db import Base, TimestampMixin, WorkspaceScoped


class FeatureStatus(StrEnum):
    """Where a feature is on its way from idea to shipped."""

    idea = "idea"
    under_consideration = "under_consideration"
    planned = "planned"
    in_progress = "in_progress"
    shipped = "shipped"
    wont_do = "wont_do"


class Feature(TimestampMixin, WorkspaceScoped, Base):
    """A feature or idea that customers' feedback can be linked to."""

    __tablename__ = "features"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default=FeatureStatus.idea.value, index=True)
