"""A scatter plot of two markers' marks as a PNG, drawn in pure Python (NumPy and zlib).

The moderation report needs the plot as an image, and the app ships neither matplotlib nor
Pillow, so this module rasterises the few shapes a moderation plot has — the tolerance band,
the line of equality, an adjustment line, the points, axes, ticks and labels — itself.
Edges are anti-aliased from exact distances (a pixel's coverage is how far its centre lies
inside the shape, clipped to 0..1), and text is drawn from the bitmap glyphs in
:mod:`rubric.export.plot_font`. Both axes run over the same marks (0..maximum) at the same
scale, so the line of equality is the diagonal and the band is the same width everywhere.

Marks that coincide (two scripts given 15 and 17) are drawn once with their count beside
the point, so no script hides behind another.
"""

from __future__ import annotations

import base64
import math
import struct
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from rubric.export.plot_font import GLYPHS

Colour = tuple[float, float, float]


def _hex(value: str) -> Colour:
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


NAVY = _hex("1F3864")
RED = _hex("C00000")
ORANGE = _hex("C55A11")
GREY = _hex("595959")
GRID = _hex("E4E4E4")
BAND = _hex("E2EFDA")
BAND_EDGE = _hex("A9D18E")
BLACK = _hex("262626")

SMALL, LARGE = 22, 28  # the two sizes of the bitmap font (pixels)


# -- the bitmap font ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Glyph:
    advance: int
    left: int
    top: int
    coverage: np.ndarray  # height × width, 0..1


@dataclass(frozen=True)
class _Font:
    size: int
    ascent: int
    descent: int
    glyphs: dict[str, _Glyph]

    def glyph(self, char: str) -> _Glyph:
        found = self.glyphs.get(char)
        if found is None:
            # "Ł" has no glyph here: draw its base letter ("L"), else a question mark
            base = unicodedata.normalize("NFKD", char)[:1]
            found = self.glyphs.get(base) or self.glyphs["?"]
        return found

    def width(self, text: str) -> int:
        return sum(self.glyph(c).advance for c in text)


_RECORD = struct.calcsize("<IhhhHH")


@cache
def _font(size: int) -> _Font:
    data = zlib.decompress(base64.b64decode(GLYPHS[size]))
    font_size, ascent, descent, count = struct.unpack_from("<HHHH", data, 0)
    offset = 8
    glyphs: dict[str, _Glyph] = {}
    for _ in range(count):
        code, advance, left, top, width, height = struct.unpack_from("<IhhhHH", data, offset)
        offset += _RECORD
        length = (width * height + 1) // 2
        packed = np.frombuffer(data, dtype=np.uint8, count=length, offset=offset)
        offset += length
        values = np.empty(length * 2, dtype=np.float64)
        values[0::2] = packed >> 4
        values[1::2] = packed & 0x0F
        coverage = (values[:width * height] / 15.0).reshape(height, width)
        glyphs[chr(code)] = _Glyph(advance, left, top, coverage)
    return _Font(font_size, ascent, descent, glyphs)


def _text_mask(text: str, size: int) -> tuple[np.ndarray, int]:
    """``(coverage, ascent)``: the text on one line, its baseline ``ascent`` rows down."""
    font = _font(size)
    width = max(1, font.width(text))
    mask = np.zeros((font.ascent + font.descent, width))
    pen = 0
    for char in text:
        glyph = font.glyph(char)
        h, w = glyph.coverage.shape
        x, y = pen + glyph.left, font.ascent + glyph.top
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(mask.shape[0], y + h)
        if x1 > x0 and y1 > y0:
            part = glyph.coverage[y0 - y:y1 - y, x0 - x:x1 - x]
            mask[y0:y1, x0:x1] = np.maximum(mask[y0:y1, x0:x1], part)
        pen += glyph.advance
    return mask, font.ascent


def fit_text(text: str, size: int, width: int) -> str:
    """``text``, cut with an ellipsis if it is wider than ``width`` pixels."""
    font = _font(size)
    if font.width(text) <= width:
        return text
    while text and font.width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


# -- the canvas --------------------------------------------------------------------------


class Canvas:
    """An RGB image of floats (0..1) with anti-aliased painting and a PNG encoder."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.rgb = np.ones((height, width, 3))

    def paint(self, x: int, y: int, coverage: np.ndarray, colour: Colour,
              opacity: float = 1.0) -> None:
        """Blend ``colour`` over the pixels at (x, y) in proportion to ``coverage``."""
        h, w = coverage.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        alpha = coverage[y0 - y:y1 - y, x0 - x:x1 - x, None] * opacity
        region = self.rgb[y0:y1, x0:x1]
        region *= 1 - alpha
        region += alpha * np.asarray(colour)

    def _grid(self, x0: float, y0: float, x1: float, y1: float
              ) -> tuple[int, int, np.ndarray, np.ndarray] | None:
        """Pixel-centre coordinates of the box (clipped to the canvas)."""
        left, top = max(0, math.floor(x0)), max(0, math.floor(y0))
        right, bottom = min(self.width, math.ceil(x1)), min(self.height, math.ceil(y1))
        if right <= left or bottom <= top:
            return None
        ys, xs = np.mgrid[top:bottom, left:right] + 0.5
        return left, top, xs, ys

    def rectangle(self, x0: float, y0: float, x1: float, y1: float, colour: Colour) -> None:
        grid = self._grid(x0, y0, x1, y1)
        if grid is None:
            return
        left, top, xs, ys = grid
        cover = (np.clip(np.minimum(xs - x0, x1 - xs) + 0.5, 0, 1)
                 * np.clip(np.minimum(ys - y0, y1 - ys) + 0.5, 0, 1))
        self.paint(left, top, cover, colour)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, colour: Colour,
             dash: tuple[float, float] | None = None) -> None:
        """A straight line ``width`` pixels wide; ``dash`` = (drawn, gap) lengths."""
        pad = width / 2 + 1
        grid = self._grid(min(x0, x1) - pad, min(y0, y1) - pad,
                          max(x0, x1) + pad, max(y0, y1) + pad)
        if grid is None:
            return
        left, top, xs, ys = grid
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        if length == 0:
            return
        along = ((xs - x0) * dx + (ys - y0) * dy) / length
        t = np.clip(along, 0, length)
        distance = np.hypot(xs - (x0 + t * dx / length), ys - (y0 + t * dy / length))
        cover = np.clip(width / 2 + 0.5 - distance, 0, 1)
        if dash is not None:
            drawn, gap = dash
            phase = np.mod(along, drawn + gap)
            cover *= np.clip(np.minimum(phase, drawn - phase) + 0.5, 0, 1)
        self.paint(left, top, cover, colour)

    def disc(self, cx: float, cy: float, radius: float, colour: Colour,
             opacity: float = 1.0) -> None:
        grid = self._grid(cx - radius - 1, cy - radius - 1, cx + radius + 1, cy + radius + 1)
        if grid is None:
            return
        left, top, xs, ys = grid
        cover = np.clip(radius + 0.5 - np.hypot(xs - cx, ys - cy), 0, 1)
        self.paint(left, top, cover, colour, opacity)

    def ring(self, cx: float, cy: float, radius: float, width: float, colour: Colour) -> None:
        grid = self._grid(cx - radius - width, cy - radius - width,
                          cx + radius + width, cy + radius + width)
        if grid is None:
            return
        left, top, xs, ys = grid
        cover = np.clip(width / 2 + 0.5 - np.abs(np.hypot(xs - cx, ys - cy) - radius), 0, 1)
        self.paint(left, top, cover, colour)

    def text(self, x: float, y: float, text: str, size: int = SMALL, colour: Colour = BLACK,
             align: str = "left", middle: bool = False, upright: bool = True) -> int:
        """Draw ``text`` with its baseline at ``y`` (``middle``: centred on ``y``) and its
        left edge, centre or right edge (``align``) at ``x``; ``upright=False`` turns it a
        quarter-turn anticlockwise (a y-axis title; then ``x``, ``y`` is its centre).
        Returns its width in pixels."""
        mask, ascent = _text_mask(text, size)
        h, w = mask.shape
        if not upright:
            mask = np.rot90(mask)
            self.paint(round(x - h / 2), round(y - w / 2), mask, colour)
            return w
        left = x - (w / 2 if align == "centre" else w if align == "right" else 0)
        top = y - (h / 2 if middle else ascent)
        self.paint(round(left), round(top), mask, colour)
        return w

    def png(self, dpi: int = 192) -> bytes:
        """The image as PNG bytes (8-bit RGB, ``dpi`` recorded in its pHYs chunk)."""
        pixels = np.clip(self.rgb * 255 + 0.5, 0, 255).astype(np.uint8)
        rows = np.zeros((self.height, self.width * 3 + 1), dtype=np.uint8)  # filter 0
        rows[:, 1:] = pixels.reshape(self.height, -1)

        def chunk(kind: bytes, body: bytes) -> bytes:
            return (struct.pack(">I", len(body)) + kind + body
                    + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

        per_metre = round(dpi / 0.0254)
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0))
                + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
                + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
                + chunk(b"IEND", b""))


# -- the plot ----------------------------------------------------------------------------


def tick_step(maximum: int) -> int:
    """A round step giving at most eight ticks over 0..maximum (5 on 25, 5 on 40, 10 on 60)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if maximum / step <= 8:
            return step
    return math.ceil(maximum / 8)


def _clip_line(slope: float, intercept: float, low: float, high: float
               ) -> tuple[float, float, float, float] | None:
    """The part of y = slope·x + intercept inside the square [low, high]²."""
    x_from, x_to = low, high
    if slope == 0:
        if not low <= intercept <= high:
            return None
    else:
        a, b = (low - intercept) / slope, (high - intercept) / slope
        x_from, x_to = max(x_from, min(a, b)), min(x_to, max(a, b))
    if x_to <= x_from:
        return None
    return x_from, slope * x_from + intercept, x_to, slope * x_to + intercept


@dataclass(frozen=True)
class ScatterPlot:
    """What to draw: pairs of marks (x = marker A, y = marker B) on 0..maximum."""

    points: Sequence[tuple[int, int]]
    maximum: int
    tolerance: float
    x_label: str
    y_label: str
    #: An adjustment line y = slope·x + intercept to draw dashed, if one was proposed.
    line: tuple[float, float] | None = None
    line_label: str = "adjustment line"


def scatter_png(plot: ScatterPlot, size: int = 760) -> bytes:
    """The plot as PNG bytes: a square plotting area ``size`` pixels wide (drawn at twice
    screen resolution: place it about 12–14 cm wide)."""
    maximum = max(1, int(plot.maximum))
    low, high = -0.5, maximum + 0.5  # half a mark of room round 0 and the maximum
    small, large = _font(SMALL), _font(LARGE)
    left = 26 + large.ascent + large.descent + small.width(str(maximum)) + 14
    top, right = 24, 36
    legend = _legend_items(plot)
    rows = _legend_rows(legend, left + size + right - 40)
    height = (top + size + 14 + small.ascent + small.descent + 18 + large.ascent
              + large.descent + 24 + len(rows) * 44 + 12)
    canvas = Canvas(left + size + right, height)
    scale = size / (high - low)

    def px(value: float) -> float:
        return left + (value - low) * scale

    def py(value: float) -> float:
        return top + size - (value - low) * scale

    # the tolerance band: every point within `tolerance` marks of the line of equality
    grid = canvas._grid(left, top, left + size, top + size)
    assert grid is not None
    x0, y0, xs, ys = grid
    marks_x = (xs - left) / scale + low
    marks_y = (top + size - ys) / scale + low
    inside = (plot.tolerance - np.abs(marks_y - marks_x)) * scale / math.sqrt(2)
    canvas.paint(x0, y0, np.clip(inside + 0.5, 0, 1), BAND)

    step = tick_step(maximum)
    for tick in range(0, maximum + 1, step):
        canvas.line(px(tick), top, px(tick), top + size, 1.5, GRID)
        canvas.line(left, py(tick), left + size, py(tick), 1.5, GRID)
    for sign in (-1, 1):
        edge = _clip_line(1.0, sign * plot.tolerance, low, high)
        if edge is not None:
            canvas.line(px(edge[0]), py(edge[1]), px(edge[2]), py(edge[3]), 2, BAND_EDGE)
    canvas.line(px(low), py(low), px(high), py(high), 3, GREY)
    if plot.line is not None:
        drawn = _clip_line(plot.line[0], plot.line[1], low, high)
        if drawn is not None:
            canvas.line(px(drawn[0]), py(drawn[1]), px(drawn[2]), py(drawn[3]), 3.5, ORANGE,
                        dash=(18, 10))

    # the frame, ticks and their numbers
    for x_a, y_a, x_b, y_b in ((left, top, left + size, top), (left, top + size, left + size,
                                                                 top + size),
                               (left, top, left, top + size),
                               (left + size, top, left + size, top + size)):
        canvas.line(x_a, y_a, x_b, y_b, 2, BLACK)
    numbers_at = top + size + 14 + small.ascent
    for tick in range(0, maximum + 1, step):
        canvas.line(px(tick), top + size, px(tick), top + size + 8, 2, BLACK)
        canvas.line(left - 8, py(tick), left, py(tick), 2, BLACK)
        canvas.text(px(tick), numbers_at, str(tick), SMALL, BLACK, align="centre")
        canvas.text(left - 14, py(tick), str(tick), SMALL, BLACK, align="right", middle=True)
    title_at = numbers_at + small.descent + 18 + large.ascent
    canvas.text(left + size / 2, title_at, fit_text(plot.x_label, LARGE, size), LARGE,
                BLACK, align="centre")
    canvas.text(18 + (large.ascent + large.descent) / 2, top + size / 2,
                fit_text(plot.y_label, LARGE, size), LARGE, BLACK, upright=False)

    # the points, each pair of marks once, with how many scripts share it
    radius = max(6.0, min(12.0, scale * 0.32))
    for (x, y), count in sorted(Counter((int(a), int(b)) for a, b in plot.points).items()):
        colour = RED if abs(y - x) > plot.tolerance else NAVY
        cx, cy = px(x), py(y)
        canvas.disc(cx, cy, radius, colour, 0.8)
        canvas.ring(cx, cy, radius, 2, colour)
        if count > 1:
            canvas.text(cx + radius + 3, cy - radius - 2, str(count), SMALL, colour)

    _draw_legend(canvas, rows, left, title_at + large.descent + 24 + 22)
    return canvas.png()


@dataclass(frozen=True)
class _LegendItem:
    kind: str  # "band", "line", "dashed", "dot"
    colour: Colour
    label: str

    def width(self) -> int:
        return 44 + 10 + _font(SMALL).width(self.label) + 34


def _legend_items(plot: ScatterPlot) -> list[_LegendItem]:
    tolerance = f"{plot.tolerance:g}"
    items = [_LegendItem("band", BAND, f"within {tolerance} mark{'s' if tolerance != '1' else ''}"),
             _LegendItem("line", GREY, "equal marks")]
    if plot.line is not None:
        items.append(_LegendItem("dashed", ORANGE, plot.line_label))
    items += [_LegendItem("dot", NAVY, "script within tolerance"),
              _LegendItem("dot", RED, "script outside tolerance")]
    return items


def _legend_rows(items: list[_LegendItem], width: int) -> list[list[_LegendItem]]:
    rows: list[list[_LegendItem]] = [[]]
    used = 0
    for item in items:
        if rows[-1] and used + item.width() > width:
            rows.append([])
            used = 0
        rows[-1].append(item)
        used += item.width()
    return rows


def _draw_legend(canvas: Canvas, rows: list[list[_LegendItem]], left: float, middle: float
                 ) -> None:
    for row in rows:
        x = left
        for item in row:
            if item.kind == "band":
                canvas.rectangle(x, middle - 11, x + 44, middle + 11, item.colour)
                canvas.line(x, middle - 11, x + 44, middle - 11, 2, BAND_EDGE)
                canvas.line(x, middle + 11, x + 44, middle + 11, 2, BAND_EDGE)
            elif item.kind == "line":
                canvas.line(x, middle, x + 44, middle, 3, item.colour)
            elif item.kind == "dashed":
                canvas.line(x, middle, x + 44, middle, 3.5, item.colour, dash=(18, 8))
            else:
                canvas.disc(x + 22, middle, 10, item.colour, 0.8)
            canvas.text(x + 54, middle, item.label, SMALL, BLACK, middle=True)
            x += item.width()
        middle += 44
