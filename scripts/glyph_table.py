"""Build the table of visually similar characters that trademark screening uses.

Every character of GBK (Chinese characters, kana, ...) is rendered with a CJK
font, described by a histogram of stroke directions (HOG: 8 x 8 cells, 8
orientations) and compared with every GB2312 character by cosine similarity.
For each character the table keeps its closest look-alikes above a floor.

    python scripts/glyph_table.py --font /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

writes detection/data/glyphs.tsv.gz (Noto Sans CJK SC, `apt install fonts-noto-cjk`).
The node only reads the table; it never needs the font.
"""

import argparse
import gzip
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "detection" / "data" / "glyphs.tsv.gz"
SIZE, RES, CELLS, BINS = 40, 32, 8, 8
FLOOR, KEEP = 0.68, 16


def charset(encoding: str, hanzi_only: bool) -> list[str]:
    chars = []
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                char = bytes([high, low]).decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(char) == 1 and (not hanzi_only or "\u4e00" <= char <= "\u9fff"):
                chars.append(char)
    return sorted(set(chars))


def render(chars: list[str], font: ImageFont.FreeTypeFont) -> np.ndarray:
    side = int(SIZE * 1.25)
    images = np.zeros((len(chars), RES, RES), np.float32)
    for k, char in enumerate(chars):
        image = Image.new("L", (side, side), 0)
        ImageDraw.Draw(image).text((side / 2, side / 2), char, font=font, fill=255, anchor="mm")
        images[k] = np.asarray(image.resize((RES, RES), Image.Resampling.LANCZOS)) / 255
    return images


def stroke_directions(images: np.ndarray) -> np.ndarray:
    """Unit vectors of square-rooted, centred HOG features, one row per image."""
    count = images.shape[0]
    gy, gx = np.gradient(images, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    angle = (np.arctan2(gy, gx) % np.pi) / np.pi * BINS
    low = np.floor(angle).astype(int) % BINS
    share = angle - np.floor(angle)
    cell_index = np.arange(RES) // (RES // CELLS)
    cells = np.tile((cell_index[:, None] * CELLS + cell_index[None, :]).ravel(), count)
    rows = np.repeat(np.arange(count), RES * RES)
    features = np.zeros((count, CELLS * CELLS * BINS), np.float32)
    np.add.at(features, (rows, cells * BINS + low.ravel()), (magnitude * (1 - share)).ravel())
    high = (low + 1) % BINS
    np.add.at(features, (rows, cells * BINS + high.ravel()), (magnitude * share).ravel())
    features = np.sqrt(features)
    features -= features.mean(axis=1, keepdims=True)
    features /= np.linalg.norm(features, axis=1, keepdims=True) + 1e-9
    return features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", required=True, help="a CJK font file (.ttc/.otf)")
    parser.add_argument("--index", type=int, default=2, help="face in a collection (2: SC)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    font = ImageFont.truetype(args.font, SIZE, index=args.index)
    targets = charset("gb2312", hanzi_only=True)
    queries = charset("gbk", hanzi_only=False)
    missing = render(["\U0010fffd"], font)[0]  # what the font draws for a character it lacks
    query_images = render(queries, font)
    drawn = [k for k in range(len(queries)) if np.abs(query_images[k] - missing).sum() > 1]
    queries = [queries[k] for k in drawn]
    query_features = stroke_directions(query_images[drawn])
    target_features = stroke_directions(render(targets, font))
    lines = []
    for start in range(0, len(queries), 2048):
        block = query_features[start : start + 2048] @ target_features.T
        for row, char in zip(block, queries[start : start + 2048], strict=True):
            best = np.argsort(-row)[: KEEP + 1]
            similar = [
                f"{targets[j]}{round(float(row[j]) * 100)}"
                for j in best
                if targets[j] != char and row[j] >= FLOOR
            ][:KEEP]
            if similar:
                lines.append(f"{char}\t{' '.join(similar)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{len(lines)} characters with look-alikes written to {args.out}")


if __name__ == "__main__":
    main()
