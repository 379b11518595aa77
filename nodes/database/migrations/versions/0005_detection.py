"""Detection: evidence, leads, reviews, tasks and monitoring directories

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 18:52:42.216340

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "detection_tasks",
        sa.Column(
            "origin",
            sa.Enum(
                "rights_holder",
                "authority",
                "national",
                "stream",
                name="task_origin",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="task_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("screened", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.String(length=26), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "monitoring_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("directory", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directory", "subject"),
    )
    op.create_table(
        "evidence",
        sa.Column("listing_id", sa.String(length=26), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("captured_at", UTCDateTime(), nullable=False),
        sa.Column("ledger_position", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "evidence_images",
        sa.Column("evidence_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=2000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("evidence_id", "position"),
    )
    op.create_table(
        "leads",
        sa.Column("listing_id", sa.String(length=26), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "trademark",
                "patent_marking",
                "design",
                "invention",
                name="lead_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("right_id", sa.String(length=26), nullable=True),
        sa.Column("right_ref", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "suspected",
                "needs_info",
                "confirmed",
                "rejected",
                name="lead_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("evidence_id", sa.String(length=26), nullable=False),
        sa.Column("task_id", sa.String(length=26), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("ledger_position", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["right_id"],
            ["rights.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["detection_tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("listing_id", "kind", "right_ref"),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_right_id"), ["right_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_task_id"), ["task_id"], unique=False)

    op.create_table(
        "lead_reviews",
        sa.Column("lead_id", sa.String(length=26), nullable=False),
        sa.Column("reviewer", sa.String(length=300), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "confirm",
                "reject",
                "request_info",
                name="review_decision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_reviews_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_reviews_lead_id"))

    op.drop_table("lead_reviews")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_task_id"))
        batch_op.drop_index(batch_op.f("ix_leads_status"))
        batch_op.drop_index(batch_op.f("ix_leads_right_id"))
        batch_op.drop_index(batch_op.f("ix_leads_priority"))
        batch_op.drop_index(batch_op.f("ix_leads_listing_id"))

    op.drop_table("leads")
    op.drop_table("evidence_images")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_listing_id"))

    op.drop_table("evidence")
    op.drop_table("monitoring_entries")
    op.drop_table("detection_tasks")
