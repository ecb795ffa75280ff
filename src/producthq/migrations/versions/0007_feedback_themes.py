"""feedback themes: theme status and representatives, items locked to a theme by hand

Revision ID: 0007_feedback_themes
Revises: 0002_feedback
Create Date: 2026-12-01 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_feedback_themes"
down_revision = "0002_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
        batch_op.add_column(
            sa.Column("representative_ids", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("theme_locked", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_column("theme_locked")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("representative_ids")
        batch_op.drop_column("status")
