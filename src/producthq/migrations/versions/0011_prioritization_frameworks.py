"""prioritization: user-defined scoring frameworks per workspace, Kano answers per feature

Revision ID: 0011_prioritization_frameworks
Revises: 0006_catalog_prioritization
Create Date: 2026-12-02 01:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011_prioritization_frameworks"
down_revision = "0006_catalog_prioritization"
branch_labels = None
depends_on = None


def _common(table: str) -> list[Any]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
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
        "scoring_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        *_common("scoring_frameworks"),
        sa.UniqueConstraint(
            "workspace_id", "slug", name=op.f("uq_scoring_frameworks_workspace_id")
        ),
    )
    with op.batch_alter_table("scoring_frameworks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scoring_frameworks_workspace_id"), ["workspace_id"])

    op.create_table(
        "kano_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("respondent", sa.String(length=200), nullable=False),
        sa.Column("functional", sa.String(length=16), nullable=False),
        sa.Column("dysfunctional", sa.String(length=16), nullable=False),
        *_common("kano_responses"),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["features.id"],
            name=op.f("fk_kano_responses_feature_id_features"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_kano_responses_person_id_people"),
            ondelete="SET NULL",
        ),
    )
    with op.batch_alter_table("kano_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kano_responses_feature_id"), ["feature_id"])
        batch_op.create_index(batch_op.f("ix_kano_responses_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_kano_responses_workspace_id"), ["workspace_id"])


def downgrade() -> None:
    op.drop_table("kano_responses")
    op.drop_table("scoring_frameworks")
