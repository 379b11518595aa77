"""The exchange's error hierarchy: why an envelope was refused or could not travel."""


class ExchangeError(Exception):
    code = "exchange_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Refused(ExchangeError):
    """An envelope a receiver does not accept; ``code`` says why (unsigned, replayed, …)."""

    code = "refused"


class Unroutable(ExchangeError):
    """No organisation, or no node serving it, for a message the routing rules produced."""

    code = "no_route"


class LinkDown(ExchangeError):
    """The peer did not answer: a transport failure, retried later."""

    code = "link_down"
