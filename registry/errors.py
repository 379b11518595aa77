"""The registry's error hierarchy. Every verification failure has its own type and
stable code, so a platform can tell a forged token from a revoked mark."""

from ipfed.ledger.errors import CodedError


class RegistryError(CodedError):
    # What a caller sent or scanned is at fault, unless a subclass says otherwise.
    code = "registry_error"
    status_code = 422


class VerificationError(RegistryError):
    """A token, or what it claims, does not verify."""

    code = "verification_failed"


class MalformedToken(VerificationError):
    code = "malformed_token"


class BadSignature(VerificationError):
    code = "bad_signature"


class UnknownIssuer(VerificationError):
    code = "unknown_issuer"


class RevokedIssuer(VerificationError):
    """The issuing office's certificate is revoked, expired or not an office's."""

    code = "revoked_issuer"


class MarkRevoked(VerificationError):
    code = "revoked"


class MarkSuspended(VerificationError):
    code = "suspended"


class MarkExpired(VerificationError):
    code = "expired"


class NotYetValid(VerificationError):
    code = "not_yet_valid"


class StatusUnavailable(VerificationError):
    """No status list of the issuer is at hand, or it does not verify."""

    code = "status_unavailable"
    status_code = 503  # the issuer's node may answer later


class StaleStatusList(VerificationError):
    code = "stale_status_list"


class StatusListRollback(VerificationError):
    """A status list older than the one already held: served to hide a newer status."""

    code = "status_list_rollback"


class OutOfScope(VerificationError):
    """The product class is outside what the mark covers."""

    code = "out_of_scope"


class UnlicensedSeller(VerificationError):
    code = "unlicensed_seller"
