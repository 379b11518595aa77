"""The node's error hierarchy: every failure a client can cause has a stable code.

Like every error of ours it is a :class:`~ipfed.ledger.errors.CodedError`: the API
renders it as ``{"error": code, "detail": message}`` with its HTTP status; the CLI
prints the same code and message.
"""

from ipfed.ledger.errors import CodedError


class IpfedError(CodedError):
    code = "error"
    status_code = 400


class InvalidInput(IpfedError):
    """The request or file is malformed or fails validation."""

    code = "invalid_input"
    status_code = 422


class NotFound(IpfedError):
    code = "not_found"
    status_code = 404


class Conflict(IpfedError):
    """The input contradicts what is already stored (e.g. a duplicate number)."""

    code = "conflict"
    status_code = 409


class Unauthenticated(IpfedError):
    code = "unauthenticated"
    status_code = 401


class Forbidden(IpfedError):
    code = "forbidden"
    status_code = 403


class ConfigurationError(IpfedError):
    code = "invalid_configuration"
    status_code = 500
