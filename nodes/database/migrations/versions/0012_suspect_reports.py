"""Suspect reports from the public verification page, and the checks of unit codes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_checks",
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["serial"], ["unit_codes.serial"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_checks_serial", "unit_checks", ["serial"])
    op.create_table(
        "suspect_reports",
        sa.Column("mark_id", sa.String(length=26), nullable=True),
        sa.Column("unit_serial", sa.String(length=16), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("where_bought", sa.String(length=300), nullable=False),
        sa.Column("seller", sa.String(length=300), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(length=40), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mark_id"], ["marks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suspect_reports_mark_id", "suspect_reports", ["mark_id"])


def downgrade() -> None:
    op.drop_index("ix_suspect_reports_mark_id", table_name="suspect_reports")
    op.drop_table("suspect_reports")
    op.drop_index("ix_unit_checks_serial", table_name="unit_checks")
    op.drop_table("unit_checks")
