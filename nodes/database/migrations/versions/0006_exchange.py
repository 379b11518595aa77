"""Exchange: outbox, deliveries, inbox, addressees and peer links; the overseas
dispute-response centre becomes a role API keys may have.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 18:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = (
    "national",
    "regional",
    "platform",
    "fair",
    "rights_holder",
    "enforcement",
    "assistance_centre",
)


def _roles_check(roles: Sequence[str]) -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint("role", type_="check")
        batch_op.create_check_constraint("role", sa.column("role").in_(roles))


def upgrade() -> None:
    """Upgrade schema."""
    _roles_check((*ROLES, "overseas_centre"))
    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exchange_outbox_subject", "exchange_outbox", ["subject"])
    op.create_table(
        "exchange_deliveries",
        sa.Column("peer", sa.String(length=63), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("envelope_id", sa.String(length=26), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "delivered",
                "dead",
                name="delivery_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["envelope_id"], ["exchange_outbox.id"]),
        sa.PrimaryKeyConstraint("peer", "seq"),
    )
    op.create_index("ix_exchange_deliveries_envelope_id", "exchange_deliveries", ["envelope_id"])
    op.create_index("ix_exchange_deliveries_state", "exchange_deliveries", ["peer", "state", "seq"])
    op.create_table(
        "exchange_inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("peer", sa.String(length=63), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("envelope_id", sa.String(length=26), nullable=True),
        sa.Column("type", sa.String(length=50), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("sender", sa.String(length=300), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "accepted", "refused", name="inbox_state", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("peer", "seq"),
    )
    op.create_index("ix_exchange_inbox_envelope_id", "exchange_inbox", ["envelope_id"])
    op.create_index("ix_exchange_inbox_subject", "exchange_inbox", ["subject"])
    op.create_table(
        "exchange_addressees",
        sa.Column("inbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["inbox_id"], ["exchange_inbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("inbox_id", "organisation"),
    )
    op.create_index("ix_exchange_addressees_organisation", "exchange_addressees", ["organisation"])
    op.create_table(
        "exchange_links",
        sa.Column("peer", sa.String(length=63), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("received_seq", sa.BigInteger(), nullable=False),
        sa.Column("link_key", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_received_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("peer"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("exchange_links")
    op.drop_index("ix_exchange_addressees_organisation", table_name="exchange_addressees")
    op.drop_table("exchange_addressees")
    op.drop_index("ix_exchange_inbox_subject", table_name="exchange_inbox")
    op.drop_index("ix_exchange_inbox_envelope_id", table_name="exchange_inbox")
    op.drop_table("exchange_inbox")
    op.drop_index("ix_exchange_deliveries_state", table_name="exchange_deliveries")
    op.drop_index("ix_exchange_deliveries_envelope_id", table_name="exchange_deliveries")
    op.drop_table("exchange_deliveries")
    op.drop_index("ix_exchange_outbox_subject", table_name="exchange_outbox")
    op.drop_table("exchange_outbox")
    _roles_check(ROLES)
