"""Marks: who vouches for a scan (its sender's key and trust, the time it gave) and
how many organisations a clone alert rests on

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mark_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_prefix", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column(
                "trust",
                sa.Enum(
                    "official",
                    "party",
                    name="sighting_trust",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("reported_at", UTCDateTime(), nullable=True))

    with op.batch_alter_table("clone_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisations", sa.Integer(), nullable=True))
    # Alerts raised before: count the organisations of the two sightings they compared.
    op.execute(
        "UPDATE clone_alerts SET organisations = CASE WHEN"
        " (SELECT org FROM mark_events WHERE id = first_event_id) ="
        " (SELECT org FROM mark_events WHERE id = second_event_id) THEN 1 ELSE 2 END"
    )
    with op.batch_alter_table("clone_alerts", schema=None) as batch_op:
        batch_op.alter_column("organisations", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("clone_alerts", schema=None) as batch_op:
        batch_op.drop_column("organisations")

    with op.batch_alter_table("mark_events", schema=None) as batch_op:
        batch_op.drop_column("reported_at")
        batch_op.drop_column("trust")
        batch_op.drop_column("key_prefix")
