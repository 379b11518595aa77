"""QR images of mark URLs, as PNG or SVG (pure Python: the base install prints them)."""

import io

import qrcode
import qrcode.image.pure
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

# Medium error correction survives scuffed labels; a 4-module quiet zone (white in the
# SVG too, so it reads on any package colour) and 8-pixel modules are what phone
# cameras read reliably at label size.
BOX_SIZE = 8
BORDER = 4


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    code.add_data(url.encode(), optimize=0)
    code.make(fit=True)
    return code


def qr_version(url: str) -> int:
    return int(_code(url).version)


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, quiet zone included, dark ones True: for drawing it at a size."""
    return [list(row) for row in _code(url).get_matrix()]


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).make_image(image_factory=qrcode.image.pure.PyPNGImage).save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    return buffer.getvalue()
