"""The one ledger every domain of a node records through, on the configured backend."""

from sqlalchemy.orm import Session

from ipfed.ledger.protocol import Ledger
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import ConfigurationError
from ipfed.nodes.identity import node_identity
from ipfed.nodes.ledger.embedded import EmbeddedLedger


def node_ledger(*, db: Session, settings: NodeSettings) -> Ledger:
    """The node's ledger, bound to ``db``: records go in (and out) with its transaction."""
    if settings.ledger_backend == EmbeddedLedger.backend:
        return EmbeddedLedger(db=db, origin=settings.origin, identity=node_identity(settings))
    # Settings refuse a backend that is not implemented; this guards settings built unchecked.
    raise ConfigurationError(
        f"ledger backend {settings.ledger_backend!r} is not implemented",
        code="unknown_ledger_backend",
    )
