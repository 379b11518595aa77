"""The node's image source for detection and evidence: the web, inline data, or the
node's own image directory."""

import base64
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from ipfed.detection.errors import UnreadableImage

MAX_IMAGE_BYTES = 10 * 1024 * 1024


class Images:
    """Images fetched over HTTP(S), given inline as ``data:`` URIs, or read from files
    under ``root`` (a path or ``file:`` URI elsewhere is refused: a listing must not
    make the node read, and export as evidence, a file of its own)."""

    def __init__(self, root: Path | None = None, timeout: float = 10.0) -> None:
        self.root = root.resolve() if root is not None else None
        self.timeout = timeout

    def read(self, uri: str) -> bytes:
        parsed = urlparse(uri)
        try:
            if parsed.scheme in ("http", "https"):
                response = httpx.get(uri, timeout=self.timeout, follow_redirects=True)
                response.raise_for_status()
                data = response.content
            elif parsed.scheme == "data":
                data = base64.b64decode(uri.partition(",")[2], validate=True)
            else:
                data = self._local(Path(unquote(parsed.path) if parsed.scheme == "file" else uri))
        except (OSError, httpx.HTTPError, ValueError) as exc:
            raise UnreadableImage(f"cannot read image {uri}: {exc}") from None
        if len(data) > MAX_IMAGE_BYTES:
            raise UnreadableImage(f"image {uri} is larger than {MAX_IMAGE_BYTES} bytes")
        return data

    def _local(self, path: Path) -> bytes:
        full = (self.root / path if self.root else path).resolve()
        if self.root is None or not full.is_relative_to(self.root):
            raise UnreadableImage(f"{path} is not in the node's image directory")
        return full.read_bytes()
