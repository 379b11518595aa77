"""Filings over the exchange: a transport that queues the signed filing in the durable
outbox, and the handlers that receive it at the national node (answering with the
signed receipt, or the reason for a refusal) and the answer at the regional node."""

from functools import partial

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.exchange.messages import FilingReceipt as ReceiptMessage
from ipfed.exchange.messages import FilingSubmission, MessageType
from ipfed.ledger.errors import LedgerError
from ipfed.ledger.identity import Role
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import IpfedError
from ipfed.nodes.exchange.handlers import Handlers, Received
from ipfed.nodes.exchange.models import OutboxEnvelope
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import send
from ipfed.nodes.filings.document import FilingRefused, SignedFiling, SignedReceipt
from ipfed.nodes.filings.models import Filing, FilingState
from ipfed.nodes.filings.receiving import receive_filing
from ipfed.nodes.filings.service import accept_receipt
from ipfed.nodes.filings.transport import FilingTransport, national_transport
from ipfed.nodes.identity import node_identity


class ExchangeTransport:
    """Queues a filing-submission envelope for the national office, once per filing."""

    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings

    def send(self, db: Session, filing: SignedFiling) -> None:
        document = filing.document
        queued = db.scalar(
            select(OutboxEnvelope.id).where(
                OutboxEnvelope.type == MessageType.FILING_SUBMISSION.value,
                OutboxEnvelope.subject == document.filing_id,
            )
        )
        if queued is not None:  # the outbox delivers it, however long the link is down
            return
        body = FilingSubmission(
            filing_id=document.filing_id,
            kind=document.kind.value,
            period=document.period,
            title=document.title,
            document_sha256=document.sha256(),
            content=filing.model_dump(mode="json"),
        )
        send(db=db, network=Network.of(self.settings, node_identity(self.settings)), body=body)


def filing_transport(settings: NodeSettings) -> FilingTransport:
    """The exchange where this node runs one, else the national node's HTTP API."""
    if settings.exchange_endpoint is not None and any(
        p.role is NodeRole.NATIONAL for p in settings.peers
    ):
        return ExchangeTransport(settings)
    return national_transport(settings)


def receive_submission(settings: NodeSettings, db: Session, received: Received) -> None:
    """At the national node: take the filing in, and answer with the receipt or the refusal."""
    body = received.body
    assert isinstance(body, FilingSubmission)
    answer = ReceiptMessage(
        filing_id=body.filing_id, submitted_by=received.sender.name, accepted=False
    )
    try:
        filing = SignedFiling.model_validate(body.content)
        if (filing.document.filing_id, filing.document.sha256()) != (
            body.filing_id,
            body.document_sha256,
        ):
            raise FilingRefused("the envelope does not describe its document", code="mismatch")
        with db.begin_nested():  # a refusal leaves nothing behind
            receipt = receive_filing(db=db, settings=settings, filing=filing, now=utcnow())
        answer = answer.model_copy(
            update={"accepted": True, "receipt": receipt.model_dump(mode="json")}
        )
    except (IpfedError, LedgerError) as exc:
        answer = answer.model_copy(update={"comment": f"[{exc.code}] {exc.message}"[:4000]})
    except ValidationError as exc:
        answer = answer.model_copy(update={"comment": f"[malformed] {exc}"[:4000]})
    send(db=db, network=Network.of(settings, node_identity(settings)), body=answer)


def receive_answer(settings: NodeSettings, db: Session, received: Received) -> None:
    """At the regional node: keep the national office's receipt, or its refusal."""
    body = received.body
    assert isinstance(body, ReceiptMessage)
    if received.sender.role is not Role.NATIONAL:
        raise FilingRefused("only the national office answers filings", code="wrong_office")
    if body.accepted and body.receipt is not None:
        try:
            receipt = SignedReceipt.model_validate(body.receipt)
        except ValidationError as exc:
            raise FilingRefused(f"not a receipt: {exc}", code="bad_receipt") from None
        accept_receipt(db=db, settings=settings, receipt=receipt)
        return
    filing = db.get(Filing, body.filing_id)
    if filing is None or filing.region_code != settings.region_code:
        raise FilingRefused(f"we filed no {body.filing_id}", code="bad_receipt")
    if filing.state is FilingState.SUBMITTED:
        filing.state = FilingState.REFUSED
        filing.delivery_error = body.comment or "refused by the national office"


def filing_handlers(settings: NodeSettings, handlers: Handlers | None = None) -> Handlers:
    """``handlers`` (or new ones) that also apply filing submissions and their answers."""
    handlers = handlers or Handlers()
    handlers.on(MessageType.FILING_SUBMISSION, partial(receive_submission, settings))
    handlers.on(MessageType.FILING_RECEIPT, partial(receive_answer, settings))
    return handlers
