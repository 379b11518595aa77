"""The exchange's error hierarchy: why an envelope was refused or could not travel."""

from ipfed.ledger.errors import CodedError


class ExchangeError(CodedError):
    # What the caller asked to send cannot be routed or signed as given.
    code = "exchange_error"
    status_code = 422


class Refused(ExchangeError):
    """An envelope a receiver does not accept; ``code`` says why (unsigned, replayed, …)."""

    code = "refused"


class Unroutable(ExchangeError):
    """No organisation, or no node serving it, for a message the routing rules produced."""

    code = "no_route"


class LinkDown(ExchangeError):
    """The peer did not answer: a transport failure, retried later."""

    code = "link_down"
    status_code = 503
