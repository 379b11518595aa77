"""The ledger's error hierarchy: what failed verification, and why, in a stable code."""


class LedgerError(Exception):
    code = "ledger_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidProof(LedgerError):
    """A Merkle inclusion or consistency proof does not verify."""

    code = "invalid_proof"


class MalformedData(LedgerError):
    """Input that cannot be parsed: a proof file, a note, canonical JSON."""

    code = "malformed"


class UnsupportedVersion(MalformedData):
    """A wire format in a major version this code does not read."""

    code = "unsupported_version"
