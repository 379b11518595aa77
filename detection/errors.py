"""The engine's errors: input it cannot screen, each with a stable code."""

from typing import ClassVar


class DetectionError(Exception):
    """Input the engine cannot read: a file, a row or an image."""

    code: ClassVar[str] = "detection_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedFile(DetectionError):
    code = "malformed_file"


class UnreadableImage(DetectionError):
    code = "unreadable_image"
