from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field, model_validator

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.messages import BODIES, Body, LeadOutcome, MessageType, Name
from ipfed.ledger.receipts import Receipt
from ipfed.nodes.exchange.models import DeliveryState, InboxState
from ipfed.nodes.schemas import InputModel, OutputModel


class MessageIn(InputModel):
    """A message to route and send: its type, its body, and the ledger receipt of its record."""

    type: MessageType
    body: dict[str, Any]
    receipt: Receipt | None = None

    def typed_body(self) -> Body:
        return BODIES[self.type].model_validate(self.body)

    @model_validator(mode="after")
    def _body_fits_type(self) -> "MessageIn":
        self.typed_body()
        return self


class FeedbackIn(InputModel):
    outcome: LeadOutcome
    detail: str = Field(default="", max_length=4000)
    case_number: Name | None = None  # the message's own rule, so no feedback fails to send
    handled_at: AwareDatetime | None = None


class InboxItem(OutputModel):
    id: int  # the inbox row: its order is the order of reception
    envelope_id: str | None
    peer: str
    seq: int
    type: str | None
    subject: str | None
    sender: str | None
    state: InboxState
    code: str | None
    reason: str | None
    received_at: datetime
    envelope: Envelope | None = None  # as signed: verifiable with the trust bundle


class DeliveryOut(OutputModel):
    peer: str
    seq: int
    state: DeliveryState
    attempts: int
    queued_at: datetime
    delivered_at: datetime | None
    code: str | None
    reason: str | None


class OutboxItem(OutputModel):
    id: str
    type: str
    subject: str
    recipients: list[str]
    created_at: datetime
    deliveries: list[DeliveryOut]


class DeadLetter(OutputModel):
    envelope_id: str
    type: str
    subject: str
    peer: str
    seq: int
    attempts: int
    code: str | None
    reason: str | None
    queued_at: datetime


class LinkStatus(OutputModel):
    peer: str
    endpoint: str | None
    key_known: bool
    pending: int
    delivered: int
    dead: int
    oldest_pending_at: datetime | None
    failures: int
    retry_at: datetime | None
    last_error: str | None
    last_sent_at: datetime | None
    last_received_at: datetime | None


class Thread(OutputModel):
    """Everything sent and received about one subject (a lead, a filing, a mark)."""

    subject: str
    sent: list[Envelope]
    received: list[InboxItem]


class Sent(OutputModel):
    envelopes: list[Envelope]


class GiveUpIn(InputModel):
    reason: str = Field(min_length=1, max_length=2000)


class Changed(OutputModel):
    envelope_id: str
    deliveries: int
