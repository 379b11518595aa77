"""The node's error hierarchy: every failure a client can cause has a stable code.

The API renders any :class:`IpfedError` as ``{"error": code, "detail": message}``
with its HTTP status; the CLI prints the same code and message.
"""

from typing import ClassVar


class IpfedError(Exception):
    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]  # per-instance refinement


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
