"""analytics: insights saved to dashboards

Revision ID: 0009_analytics_saved_insights
Revises: 0008_analytics_write_keys
Create Date: 2026-12-01 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_analytics_saved_insights"
down_revision = "0008_analytics_write_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_saved_insights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dashboard", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_analytics_saved_insights_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_saved_insights_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_saved_insights")),
    )
    with op.batch_alter_table("analytics_saved_insights", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_saved_insights_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_saved_insights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_saved_insights_workspace_id"))
    op.drop_table("analytics_saved_insights")
