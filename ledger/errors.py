"""The one error base of ipfed, and the ledger's errors: what failed verification, and why,
in a stable code.

Every error of ours derives from :class:`CodedError`, whatever its layer: the node's API
renders any of them as ``{"error": code, "detail": message}`` with its HTTP status, and
the ``ipfed`` command prints the same code and message. The status says the cause: 4xx
for bad or untrusted data, 5xx for a storage or transport failure that a retry may cure.
It lives here, in the lowest layer, so that every package can derive from it.
"""


class CodedError(Exception):
    code: str = "error"
    """Stable and machine-readable: clients branch on it, never on the message."""
    status_code: int = 500
    """The HTTP status the node answers when the error escapes a route."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # a refinement of this one failure


class LedgerError(CodedError):
    # Ledger errors reaching a route are about what the caller sent.
    code = "ledger_error"
    status_code = 422


class InvalidProof(LedgerError):
    """A Merkle inclusion or consistency proof does not verify."""

    code = "invalid_proof"


class MalformedData(LedgerError):
    """Input that cannot be parsed: a proof file, a note, canonical JSON."""

    code = "malformed"


class UnsupportedVersion(MalformedData):
    """A wire format in a major version this code does not read."""

    code = "unsupported_version"
