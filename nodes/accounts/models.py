from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipfed.ledger.identity import Role
from ipfed.nodes.database.core import Base, RecordMixin, UTCDateTime, str_enum


class Account(RecordMixin, Base):
    """A person who signs in to the console, bound to an organisation and a role."""

    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # shown in the node, never on the ledger
    org: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(str_enum(Role, "account_role"))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, with its parameters
    # The base32 TOTP key once enrolled; None: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The 30-second step of the last code accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The id the ledger and envelopes carry instead of the person: random, never the name.
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(RecordMixin, Base):
    """A signed-in browser: the cookie holds a secret whose SHA-256 is kept here."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_account_id", "account_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))  # every unsafe request carries it
    # Signed in with a password, but the node requires a second factor not yet enrolled:
    # such a session may only enrol it or sign out.
    enrolment_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the absolute lifetime
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship(lazy="joined")


class AccessRecord(RecordMixin, Base):
    """Who read or changed what: a request's caller, route and answer, never its body."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_org", "org"),)

    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    key_prefix: Mapped[str | None] = mapped_column(String(12))
    org: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(300))  # the path template, not the path
    record_id: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)

    account: Mapped[Account | None] = relationship(lazy="joined")
