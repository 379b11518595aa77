"""The office's work queue: who claimed each item, or was assigned it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_claims",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("item_id", sa.String(length=26), nullable=False),
        sa.Column("assignee_id", sa.String(length=26), nullable=False),
        sa.Column("assigned_by_id", sa.String(length=26), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )
    op.create_index("ix_queue_claims_assignee_id", "queue_claims", ["assignee_id"])


def downgrade() -> None:
    op.drop_index("ix_queue_claims_assignee_id", table_name="queue_claims")
    op.drop_table("queue_claims")
