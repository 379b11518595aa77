"""The QR code in a photo of a mark, read by the node (a phone's browser may have no
barcode reader of its own): the text it holds, a token or a verification URL."""

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from ipfed.nodes.errors import InvalidInput

MAX_PHOTO_BYTES = 8 << 20  # a phone camera's full-size JPEG
MAX_PIXELS = 40_000_000  # larger is a decompression bomb, not a photo


def read_qr(photo: bytes) -> str:
    """The text of the first QR code in ``photo``; refused when there is none."""
    if len(photo) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"the photo is over {MAX_PHOTO_BYTES >> 20} MB", code="photo_too_large")
    try:
        with Image.open(io.BytesIO(photo)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidInput("the photo has too many pixels", code="bad_photo")
            image = opened.convert("L")
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidInput("the file is not a photo", code="bad_photo") from None
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    texts = [barcode.text for barcode in found if barcode.valid and barcode.text]
    if not texts:
        raise InvalidInput("no QR code could be read in the photo", code="no_qr_in_photo")
    return texts[0]
