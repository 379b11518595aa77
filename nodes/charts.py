"""What every chart of the node shares: Chinese labels drawn with a CJK font."""

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

# Debian's fonts-noto-cjk (see the Dockerfile) shows matplotlib its collection's first face,
# JP, which has every simplified Chinese glyph too.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Noto Sans CJK JP",
)


@cache
def cjk_fonts() -> tuple[str, ...]:
    """The CJK fonts installed here, best first; said once in the log when there is none."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = tuple(f for f in CJK_FONTS if f in installed)
    if not found:
        log.warning(
            "no CJK font installed (e.g. Debian's fonts-noto-cjk): "
            "Chinese labels in charts are drawn as boxes"
        )
    return found


@contextmanager
def chinese() -> Iterator[None]:
    """Draw with a CJK font where one is installed, so region and enterprise names are
    not boxes; without one, matplotlib's warning per missing glyph is not repeated."""
    with (
        warnings.catch_warnings(),
        rc_context({"font.family": [*cjk_fonts(), "DejaVu Sans"], "svg.fonttype": "path"}),
    ):
        if not cjk_fonts():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        yield


def png(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as a PNG, its Chinese labels drawn with a CJK font."""
    buffer = io.BytesIO()
    with chinese():
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
