"""Privacy: the record of every erasure of personal data (counts, never the data)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_erasures",
        sa.Column(
            "cause",
            sa.Enum(
                "retention",
                "request",
                name="erasure_cause",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("request_ref", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=300), nullable=True),
        sa.Column("recorded_by", sa.String(length=300), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_ref"),
    )


def downgrade() -> None:
    op.drop_table("privacy_erasures")
