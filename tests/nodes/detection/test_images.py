"""The node's image source: inline data and its own image directory, nothing else."""

from pathlib import Path

import pytest
from PIL import Image

from ipfed.detection.errors import UnreadableImage
from ipfed.nodes.detection.images import Images


def test_only_inline_data_and_the_image_directory_are_read(tmp_path: Path) -> None:
    with pytest.raises(UnreadableImage):
        Images(tmp_path).read("data:image/png;base64,@@@")
    Image.new("RGB", (8, 8), "white").save(tmp_path / "inside.jpg")
    assert Images(tmp_path).read("inside.jpg")[:2] == b"\xff\xd8"
    assert Images(tmp_path).read(f"file://{tmp_path}/inside.jpg")[:2] == b"\xff\xd8"
    for outside in ("/etc/hostname", "../escape.png", "file:///etc/hostname"):
        with pytest.raises(UnreadableImage, match="image directory"):
            Images(tmp_path).read(outside)
    with pytest.raises(UnreadableImage, match="image directory"):
        Images().read(str(tmp_path / "inside.jpg"))  # no directory: no local files
