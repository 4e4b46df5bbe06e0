"""The confusion matrix drawn as a PNG with Pillow (no plotting library needed on the server).

Cells are shaded by the share of their row (recall-style, so a small class is as visible as a large
one) and labelled with counts. The frontend may draw its own from ``evaluation.evaluate``'s numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

_BACKGROUND = (255, 255, 255)
_TEXT = (33, 37, 41)
_LOW = np.array([247, 251, 255], dtype=np.float64)  # an empty cell
_HIGH = np.array([8, 48, 107], dtype=np.float64)  # a cell holding its whole row
MAX_LABEL_CHARS = 18


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _shade(share: float) -> tuple[int, int, int]:
    r, g, b = (_LOW + (_HIGH - _LOW) * share).round().astype(int)
    return int(r), int(g), int(b)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def confusion_matrix_png(matrix: np.ndarray, class_names: Sequence[str], *, title: str = "Confusion matrix") -> bytes:
    """PNG bytes: true classes down the left, predicted classes along the top."""
    matrix = np.asarray(matrix, dtype=np.int64)
    n = len(class_names)
    if matrix.shape != (n, n) or n == 0:
        raise ValueError("the confusion matrix must be square with one row per class name")
    cell = max(12, min(64, 640 // n))  # the grid stays within about 640 px, whatever the class count
    font = _font(max(8, min(14, cell // 3)))
    labels = [_short(name) for name in class_names]
    label_width = int(max(font.getlength(label) for label in labels)) + 12
    heading = f"{title} (rows: true class, columns: predicted)"
    title_font = _font(14)
    top = 36 + label_width  # the title line, then the rotated column labels
    left = 8 + label_width  # the row labels
    width = max(left + n * cell + 16, int(title_font.getlength(heading)) + 16)
    height = top + n * cell + 16
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((8, 8), heading, fill=_TEXT, font=title_font)

    row_totals = matrix.sum(axis=1)
    for i in range(n):
        draw.text((left - 6, top + i * cell + cell // 2), labels[i], fill=_TEXT, font=font, anchor="rm")
        for j in range(n):
            share = matrix[i, j] / row_totals[i] if row_totals[i] else 0.0
            x0, y0 = left + j * cell, top + i * cell
            draw.rectangle([x0, y0, x0 + cell - 1, y0 + cell - 1], fill=_shade(share), outline=(222, 226, 230))
            if cell >= 24:  # below that the digits would not be readable
                colour = (255, 255, 255) if share > 0.5 else _TEXT
                draw.text((x0 + cell // 2, y0 + cell // 2), str(matrix[i, j]), fill=colour, font=font, anchor="mm")
    for j, label in enumerate(labels):
        # Column labels are drawn on their own strip and rotated to read bottom-up.
        strip = Image.new("RGB", (label_width, cell), _BACKGROUND)
        ImageDraw.Draw(strip).text((label_width - 6, cell // 2), label, fill=_TEXT, font=font, anchor="rm")
        image.paste(strip.rotate(90, expand=True), (left + j * cell, top - label_width - 2))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
