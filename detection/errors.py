"""The engine's errors: input it cannot screen, each with a stable code."""

from ipfed.ledger.errors import CodedError


class DetectionError(CodedError):
    """Input the engine cannot read: a file, a row or an image."""

    code = "detection_error"
    status_code = 422  # what the caller gave cannot be screened


class MalformedFile(DetectionError):
    code = "malformed_file"


class UnreadableImage(DetectionError):
    code = "unreadable_image"
