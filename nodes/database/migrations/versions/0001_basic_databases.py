"""Basic databases of the work plan: rights, licences, adjudications, key products,
market participants, listings, and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 16:31:10.451229

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ipfed.nodes.database.core import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "api_keys",
        sa.Column("org", sa.String(length=300), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "national",
                "regional",
                "platform",
                "fair",
                "rights_holder",
                "enforcement",
                "assistance_centre",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "key_products",
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("key_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_products_category"), ["category"], unique=False)

    op.create_table(
        "listings",
        sa.Column(
            "channel",
            sa.Enum("online", "fair", name="channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("nice_class", sa.Integer(), nullable=True),
        sa.Column("seller", sa.String(length=300), nullable=False),
        sa.Column("seller_shop_id", sa.String(length=200), nullable=True),
        sa.Column("booth", sa.String(length=50), nullable=True),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("captured_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "source", "external_id"),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_captured_at"), ["captured_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_seller"), ["seller"], unique=False)

    op.create_table(
        "participants",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("registered_address", sa.String(length=500), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uscc"),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_participants_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "rights",
        sa.Column(
            "kind",
            sa.Enum(
                "patent",
                "trademark",
                "geographical_indication",
                name="right_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "granted",
                "expired",
                "invalid",
                name="right_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("filing_date", sa.Date(), nullable=True),
        sa.Column("grant_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column(
            "patent_kind",
            sa.Enum(
                "invention",
                "utility",
                "design",
                name="patent_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("locarno_class", sa.String(length=5), nullable=True),
        sa.Column("independent_claim", sa.Text(), nullable=True),
        sa.Column("nice_class_mask", sa.BigInteger(), nullable=True),
        sa.Column("well_known", sa.Boolean(), nullable=True),
        sa.Column("key_protection", sa.Boolean(), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", "kind"),
    )
    op.create_table(
        "adjudications",
        sa.Column("case_no", sa.String(length=100), nullable=False),
        sa.Column("right_id", sa.String(length=26), nullable=False),
        sa.Column("defendant", sa.String(length=300), nullable=False),
        sa.Column("defendant_uscc", sa.String(length=18), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "infringement",
                "no_infringement",
                "settled",
                "withdrawn",
                name="decision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("authority_region", sa.String(length=6), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["right_id"], ["rights.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_no"),
    )
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adjudications_defendant"), ["defendant"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_adjudications_defendant_uscc"), ["defendant_uscc"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_adjudications_right_id"), ["right_id"], unique=False)

    op.create_table(
        "design_images",
        sa.Column("right_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=50), nullable=False),
        sa.Column("uri", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["right_id"], ["rights.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("right_id", "position"),
    )
    op.create_table(
        "key_product_rights",
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("right_id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["key_products.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["right_id"], ["rights.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "right_id"),
    )
    op.create_table(
        "licences",
        sa.Column("right_id", sa.String(length=26), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "licence",
                "transfer",
                name="licence_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("licensee", sa.String(length=300), nullable=False),
        sa.Column("licensee_uscc", sa.String(length=18), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["right_id"], ["rights.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licences_licensee"), ["licensee"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_licences_licensee_uscc"), ["licensee_uscc"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_licences_right_id"), ["right_id"], unique=False)

    op.create_table(
        "participant_shops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("participant_id", sa.String(length=26), nullable=False),
        sa.Column("platform", sa.String(length=100), nullable=False),
        sa.Column("shop_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "shop_id"),
    )
    with op.batch_alter_table("participant_shops", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_shops_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("participant_shops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_shops_participant_id"))

    op.drop_table("participant_shops")
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licences_right_id"))
        batch_op.drop_index(batch_op.f("ix_licences_licensee_uscc"))
        batch_op.drop_index(batch_op.f("ix_licences_licensee"))

    op.drop_table("licences")
    op.drop_table("key_product_rights")
    op.drop_table("design_images")
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjudications_right_id"))
        batch_op.drop_index(batch_op.f("ix_adjudications_defendant_uscc"))
        batch_op.drop_index(batch_op.f("ix_adjudications_defendant"))

    op.drop_table("adjudications")
    op.drop_table("rights")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_region_code"))
        batch_op.drop_index(batch_op.f("ix_participants_name"))

    op.drop_table("participants")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_seller"))
        batch_op.drop_index(batch_op.f("ix_listings_captured_at"))

    op.drop_table("listings")
    with op.batch_alter_table("key_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_products_category"))

    op.drop_table("key_products")
    op.drop_table("api_keys")
