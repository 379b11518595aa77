"""What the application does with a received message, per type.

A handler runs in the same database transaction that stores the message in
the inbox, so it is applied exactly once. Raising an
:class:`~ipfed.nodes.errors.IpfedError` refuses the message: the reason is
stored and the sender is told. Register handlers where the node is composed::

    handlers = Handlers()
    handlers.on(MessageType.FILING_SUBMISSION, receive_filing)
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ipfed.exchange.envelope import Envelope
from ipfed.exchange.messages import Body, MessageType
from ipfed.ledger.identity import Organisation


@dataclass(frozen=True)
class Received:
    inbox_id: int
    envelope: Envelope
    body: Body
    sender: Organisation
    addressees: list[Organisation]  # the recipients this node serves


Handler = Callable[[Session, Received], None]


class Handlers:
    def __init__(self) -> None:
        self._by_type: defaultdict[MessageType, list[Handler]] = defaultdict(list)

    def on(self, type: MessageType, handler: Handler) -> None:
        self._by_type[type].append(handler)

    def __contains__(self, type: MessageType) -> bool:
        return bool(self._by_type.get(type))

    def __call__(self, db: Session, received: Received) -> None:
        for handler in self._by_type.get(received.envelope.type, []):
            handler(db, received)
