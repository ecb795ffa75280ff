"""Products, components and features/ideas: the things that get prioritised."""

from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
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


class Product(TimestampMixin, WorkspaceScoped, Base):
    """A product of the workspace; its components group features."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class Component(TimestampMixin, WorkspaceScoped, Base):
    """A part of a product (an app, a module, a team's surface)."""

    __tablename__ = "components"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))


class Feature(TimestampMixin, WorkspaceScoped, Base):
    """A feature or idea that customers' feedback can be linked to."""

    __tablename__ = "features"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default=FeatureStatus.idea.value, index=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), nullable=True, index=True
    )
    component_id: Mapped[int | None] = mapped_column(
        ForeignKey("components.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The key in the tool a feature was imported from (a Jira issue key, a Productboard id).
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
