"""The exchange's durable state: the outbox (envelopes and their deliveries to
each peer), the inbox, and one row per link to a peer."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ipfed.nodes.database.core import Base, UTCDateTime, str_enum, utcnow


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # refused by the peer, or given up by an operator: see the reason


class InboxState(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"


class OutboxEnvelope(Base):
    """An envelope this node signed, exactly as sent."""

    __tablename__ = "exchange_outbox"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)  # the envelope's ULID
    type: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300), index=True)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxDelivery(Base):
    """One envelope on its way to one node, ``seq``-th on that link."""

    __tablename__ = "exchange_deliveries"
    __table_args__ = (Index("ix_exchange_deliveries_state", "peer", "state", "seq"),)

    peer: Mapped[str] = mapped_column(String(63), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("exchange_outbox.id"), index=True)
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code: Mapped[str | None] = mapped_column(String(50))  # why it is dead
    reason: Mapped[str | None] = mapped_column(Text)


class InboxEnvelope(Base):
    """An envelope received from a peer (or from this node itself), accepted or refused.

    Row ids count up in the order of reception.
    """

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("peer", "seq"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    peer: Mapped[str] = mapped_column(String(63))
    seq: Mapped[int] = mapped_column(BigInteger)
    envelope_id: Mapped[str | None] = mapped_column(String(26), index=True)  # None: unparsable
    type: Mapped[str | None] = mapped_column(String(50))
    subject: Mapped[str | None] = mapped_column(String(300), index=True)
    sender: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[InboxState] = mapped_column(str_enum(InboxState, "inbox_state"))
    code: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Addressee(Base):
    """An organisation this node serves that an accepted envelope is addressed to:
    what it may read through the API."""

    __tablename__ = "exchange_addressees"

    inbox_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_inbox.id", ondelete="CASCADE"), primary_key=True
    )
    organisation: Mapped[str] = mapped_column(String(300), primary_key=True, index=True)


class PeerLink(Base):
    """This node's link with one peer (or with itself, for local recipients)."""

    __tablename__ = "exchange_links"

    peer: Mapped[str] = mapped_column(String(63), primary_key=True)
    next_seq: Mapped[int] = mapped_column(BigInteger, default=1)  # of the next delivery to it
    received_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # last one taken from it
    link_key: Mapped[str | None] = mapped_column(Text)  # its signed CURVE key (LinkKey JSON)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
