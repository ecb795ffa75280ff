"""analytics: per-workspace capture write keys

Revision ID: 0008_analytics_write_keys
Revises: 0001
Create Date: 2026-12-01 21:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_analytics_write_keys"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_write_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_analytics_write_keys_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_write_keys_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_write_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_analytics_write_keys_key_hash")),
    )
    with op.batch_alter_table("analytics_write_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_write_keys_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_write_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_write_keys_workspace_id"))
    op.drop_table("analytics_write_keys")
