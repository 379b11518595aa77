"""Printable sheets of QR labels: each label a QR code of a verification URL with its
caption under it (the right, the holder, "扫码核验"), on A4 pages saved as PNG or as
one PDF (Pillow writes both)."""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from ipfed.nodes.charts import CJK_FONTS
from ipfed.registry.qr import BORDER, qr_matrix

# A4 at 200 dots per inch, three labels by four.
DPI = 200
PAGE = (1654, 2339)
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
# Labels one PDF holds: each code takes qrcode (pure Python) about 60 ms to lay out, so a
# large batch is printed in parts of ten sheets.
PER_PART = 10 * PER_PAGE
MARGIN = 60
CAPTION_SIZE = 30  # pixels: about 3.8 mm, readable on a label
CAPTION_LINES = 4  # right, holder, a unit's batch and serial, "扫码核验"

log = logging.getLogger(__name__)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Label:
    url: str  # what the QR code holds
    caption: tuple[str, ...]  # lines under it


@cache
def _font() -> Font:
    """The best CJK font installed (the charts' order), else Pillow's own. The system's
    font files are read by name: matplotlib's font cache may predate a font installed."""
    found: dict[str, str] = {}
    for path in font_manager.findSystemFonts():
        try:
            family = ImageFont.truetype(path, CAPTION_SIZE).getname()[0]
        except OSError:
            continue
        if family in CJK_FONTS:
            found.setdefault(family, path)
    for family in CJK_FONTS:
        if family in found:
            return ImageFont.truetype(found[family], CAPTION_SIZE)
    log.warning("no CJK font installed (e.g. Debian's fonts-noto-cjk): captions lose Chinese")
    return ImageFont.load_default(CAPTION_SIZE)


@lru_cache(maxsize=16)  # a sheet of one mark's label draws its code once
def _qr(url: str, side: int) -> Image.Image:
    """The QR code at the largest whole number of pixels per module that fits ``side``."""
    matrix = qr_matrix(url)
    modules = len(matrix)
    dots = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (modules, modules), dots)
    box = max(2, side // modules)
    return image.resize((modules * box, modules * box), Image.Resampling.NEAREST)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> str:
    """``text``, cut short with an ellipsis if it is wider than ``width``."""
    if draw.textlength(text, font=_font()) <= width:
        return text
    while text and draw.textlength(text + "…", font=_font()) > width:
        text = text[:-1]
    return text + "…"


def _page(labels: Sequence[Label]) -> Image.Image:
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    cell_w = (PAGE[0] - 2 * MARGIN) // COLUMNS
    cell_h = (PAGE[1] - 2 * MARGIN) // ROWS
    caption_h = CAPTION_LINES * (CAPTION_SIZE + 8)
    # The QR image keeps its quiet zone, so labels may touch.
    side = min(cell_w, cell_h - caption_h - BORDER * 2)
    for n, label in enumerate(labels):
        x = MARGIN + (n % COLUMNS) * cell_w
        y = MARGIN + (n // COLUMNS) * cell_h
        code = _qr(label.url, side)
        page.paste(code, (x + (cell_w - code.width) // 2, y))
        top = y + code.height
        for line in label.caption[:CAPTION_LINES]:
            text = _fit(draw, line, cell_w - 20)
            left = x + (cell_w - int(draw.textlength(text, font=_font()))) // 2
            draw.text((left, top), text, fill=0, font=_font())
            top += CAPTION_SIZE + 8
    return page


def pages(labels: Sequence[Label]) -> list[Image.Image]:
    return [_page(labels[i : i + PER_PAGE]) for i in range(0, len(labels), PER_PAGE)]


def sheet_png(labels: Sequence[Label]) -> bytes:
    """One page of labels (the first ``PER_PAGE``)."""
    buffer = io.BytesIO()
    pages(labels[:PER_PAGE])[0].save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def sheet_pdf(labels: Sequence[Label]) -> bytes:
    """Every label, as many pages as they take."""
    first, *rest = pages(labels)
    buffer = io.BytesIO()
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return buffer.getvalue()
