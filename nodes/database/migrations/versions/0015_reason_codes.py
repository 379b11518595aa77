"""Leads: each detector reason as a code and its parameters, beside its English sentence

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for the leads found before: their reasons are shown as their sentences.
    with op.batch_alter_table("leads") as table:
        table.add_column(sa.Column("reason_codes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as table:
        table.drop_column("reason_codes")
