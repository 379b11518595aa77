"""Witnessing and gossip: the largest verified checkpoint of each peer's log, and split-view alarms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 17:59:32.070124

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "alarms",
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarms_origin"), ["origin"], unique=False)

    op.create_table(
        "known_checkpoints",
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("known_checkpoints")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarms_origin"))

    op.drop_table("alarms")
