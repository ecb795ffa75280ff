"""catalog: products, components, feature fields; prioritization: estimates, poker rounds

Revision ID: 0006_catalog_prioritization
Revises: 0002_feedback
Create Date: 2026-12-01 22:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_catalog_prioritization"
down_revision = "0002_feedback"
branch_labels = None
depends_on = None


def _stamps() -> list[Any]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _workspace(table: str) -> list[Any]:
    return [
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{table}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_stamps(),
        *_workspace("products"),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_products_workspace_id")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_workspace_id"), ["workspace_id"])

    op.create_table(
        "components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_stamps(),
        *_workspace("components"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_components_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("product_id", "name", name=op.f("uq_components_product_id")),
    )
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_components_product_id"), ["product_id"])
        batch_op.create_index(batch_op.f("ix_components_workspace_id"), ["workspace_id"])

    with op.batch_alter_table("features", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("component_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("tags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_features_product_id_products"),
            "products",
            ["product_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_features_component_id_components"),
            "components",
            ["component_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_features_product_id"), ["product_id"])
        batch_op.create_index(batch_op.f("ix_features_component_id"), ["component_id"])
        batch_op.create_index(batch_op.f("ix_features_external_id"), ["external_id"])

    op.create_table(
        "feature_estimates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("input", sa.String(length=64), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_stamps(),
        *_workspace("feature_estimates"),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["features.id"],
            name=op.f("fk_feature_estimates_feature_id_features"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "feature_id", "framework", "input", name=op.f("uq_feature_estimates_feature_id")
        ),
    )
    with op.batch_alter_table("feature_estimates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feature_estimates_feature_id"), ["feature_id"])
        batch_op.create_index(batch_op.f("ix_feature_estimates_workspace_id"), ["workspace_id"])

    op.create_table(
        "poker_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("input", sa.String(length=64), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        *_stamps(),
        *_workspace("poker_rounds"),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["features.id"],
            name=op.f("fk_poker_rounds_feature_id_features"),
            ondelete="CASCADE",
        ),
    )
    with op.batch_alter_table("poker_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poker_rounds_feature_id"), ["feature_id"])
        batch_op.create_index(batch_op.f("ix_poker_rounds_workspace_id"), ["workspace_id"])

    op.create_table(
        "poker_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=320), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        *_stamps(),
        *_workspace("poker_votes"),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["poker_rounds.id"],
            name=op.f("fk_poker_votes_round_id_poker_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_poker_votes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_poker_votes_round_id")),
    )
    with op.batch_alter_table("poker_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poker_votes_round_id"), ["round_id"])
        batch_op.create_index(batch_op.f("ix_poker_votes_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_poker_votes_workspace_id"), ["workspace_id"])


def downgrade() -> None:
    op.drop_table("poker_votes")
    op.drop_table("poker_rounds")
    op.drop_table("feature_estimates")
    with op.batch_alter_table("features", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_features_external_id"))
        batch_op.drop_index(batch_op.f("ix_features_component_id"))
        batch_op.drop_index(batch_op.f("ix_features_product_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_features_component_id_components"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_features_product_id_products"), type_="foreignkey")
        batch_op.drop_column("external_id")
        batch_op.drop_column("tags")
        batch_op.drop_column("owner")
        batch_op.drop_column("component_id")
        batch_op.drop_column("product_id")
    op.drop_table("components")
    op.drop_table("products")
