"""Charts with Chinese labels: drawn with a CJK font where one is installed, and without
one, a single line in the log instead of a warning per missing glyph."""

import io
import warnings

from matplotlib import rcParams
from matplotlib.figure import Figure

from ipfed.nodes.charts import chinese, cjk_fonts


def test_chinese_labels_draw_without_a_warning_per_glyph() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with chinese():
            assert rcParams["font.family"][: len(cjk_fonts())] == list(cjk_fonts())
            figure = Figure()
            figure.subplots().barh(["上海市", "浙江省"], [3, 5])
            figure.savefig(io.BytesIO(), format="svg")
    assert not [w for w in caught if "missing from font" in str(w.message)]
