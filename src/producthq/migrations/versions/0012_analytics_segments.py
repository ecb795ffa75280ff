"""analytics: saved segments

Revision ID: 0012_analytics_segments
Revises: 0009_analytics_saved_insights
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_analytics_segments"
down_revision = "0009_analytics_saved_insights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_analytics_segments_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_segments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_segments")),
    )
    with op.batch_alter_table("analytics_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_segments_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_segments_workspace_id"))
    op.drop_table("analytics_segments")
