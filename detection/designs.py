"""Design-patent infringement: product images against the drawings of granted designs
in the Locarno classes the listing's goods fall in, by perceptual hashing
(DCT hash and gradient hash, each 64 bits; a mirrored photo counts too)."""

import io
from datetime import date

import imagehash
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from ipfed.detection.errors import UnreadableImage
from ipfed.detection.images import ImageSource
from ipfed.detection.reasons import Reason
from ipfed.detection.register import Finding, Register, ScreenedListing
from ipfed.registry.identifiers import PatentKind

THRESHOLD = 0.85
# The Locarno classes of the products sold under a Nice class (goods only).
NICE_TO_LOCARNO: dict[int, frozenset[str]] = {
    3: frozenset({"09", "28"}),
    8: frozenset({"07", "08"}),
    9: frozenset({"14", "16", "10"}),
    11: frozenset({"23", "26", "07"}),
    12: frozenset({"12"}),
    14: frozenset({"10", "11"}),
    16: frozenset({"19", "09"}),
    18: frozenset({"03"}),
    20: frozenset({"06"}),
    21: frozenset({"07"}),
    24: frozenset({"05", "06"}),
    25: frozenset({"02"}),
    28: frozenset({"21"}),
    29: frozenset({"09"}),
    30: frozenset({"09"}),
    32: frozenset({"09"}),
    33: frozenset({"09"}),
}


def fingerprints(data: bytes) -> list[tuple[int, int]]:
    """(DCT hash, gradient hash) of an image and of its mirror image."""
    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(f"not an image: {exc}") from None
    image = image.convert("L")
    return [
        (int(str(imagehash.phash(view)), 16), int(str(imagehash.dhash(view)), 16))
        for view in (image, ImageOps.mirror(image))
    ]


def _bits(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    return np.bitwise_count(values).astype(np.int64)


class DesignDetector:
    def __init__(self, register: Register, today: date, images: ImageSource | None) -> None:
        self.register = register
        self.today = today
        self.unreadable: list[str] = []
        owners, classes, dct, gradient = [], [], [], []
        designs = [
            p
            for p in register.patents
            if p.kind is PatentKind.DESIGN and p.status == "granted" and p.design_images
        ]
        for index, patent in enumerate(designs):
            for uri in patent.design_images if images is not None else ():
                try:
                    views = fingerprints(images.read(uri))  # type: ignore[union-attr]
                except UnreadableImage as exc:
                    self.unreadable.append(exc.message)
                    continue
                owners.append(index)
                classes.append((patent.locarno_class or "")[:2])
                dct.append(views[0][0])
                gradient.append(views[0][1])
        self.designs = designs
        self._owners = np.array(owners, np.int64)
        self._classes = np.array(classes, dtype="<U2")
        self._dct = np.array(dct, np.uint64)
        self._gradient = np.array(gradient, np.uint64)

    def detect(self, listing: ScreenedListing) -> list[Finding]:
        if not len(self._owners) or not listing.images:
            return []
        allowed = NICE_TO_LOCARNO.get(listing.nice_class or 0)
        in_class = np.isin(self._classes, list(allowed)) if allowed else np.ones_like(self._owners)
        best: dict[int, float] = {}
        for data in listing.images:
            try:
                views = fingerprints(data)
            except UnreadableImage:
                continue
            for dct, gradient in views:
                distance = _bits(self._dct ^ np.uint64(dct)) + _bits(
                    self._gradient ^ np.uint64(gradient)
                )
                scores = np.where(in_class.astype(bool), 1 - distance / 128, 0.0)
                for row in np.flatnonzero(scores >= THRESHOLD):
                    owner = int(self._owners[row])
                    best[owner] = max(best.get(owner, 0.0), float(scores[row]))
        findings = []
        for owner, score in best.items():
            patent = self.designs[owner]
            if self.register.authorised(
                patent.number, patent.holder, listing.seller, self.today, listing.seller_code
            ):
                continue
            bits = round((1 - score) * 128)
            findings.append(
                Finding(
                    "design",
                    patent.number,
                    round(score, 3),
                    (
                        Reason.of(
                            "design_drawing_matched",
                            number=patent.number,
                            title=patent.title,
                            holder=patent.holder,
                            bits=bits,
                        ),
                        Reason.of("locarno_class", locarno_class=patent.locarno_class),
                        Reason.of("seller_not_licensed"),
                    ),
                )
            )
        return findings
