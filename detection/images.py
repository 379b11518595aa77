"""Where detectors read images from, behind one small interface (the node implements it
with HTTP and its image directory)."""

from typing import Protocol

from ipfed.detection.errors import UnreadableImage


class ImageSource(Protocol):
    def read(self, uri: str) -> bytes:
        """The image's bytes; raises :class:`UnreadableImage` when it cannot be read."""
        ...


class Remembered:
    """An image source that reads each image once (screening and evidence share it)."""

    def __init__(self, source: ImageSource) -> None:
        self.source = source
        self._read: dict[str, bytes | UnreadableImage] = {}

    def read(self, uri: str) -> bytes:
        if uri not in self._read:
            try:
                self._read[uri] = self.source.read(uri)
            except UnreadableImage as exc:
                self._read[uri] = exc
        found = self._read[uri]
        if isinstance(found, UnreadableImage):
            raise found
        return found
