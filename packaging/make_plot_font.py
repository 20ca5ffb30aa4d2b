"""Regenerate ``rubric/export/plot_font.py``: the glyphs the scatter plot's text is drawn with.

    .venv/bin/python packaging/make_plot_font.py [FONT.ttf]

The moderation report draws its scatter plot as a PNG in pure Python (NumPy and zlib: the
app ships neither matplotlib nor Pillow), so the plot's letters come from a small bitmap
font kept in the source: every printable ASCII, Latin-1 and Latin Extended-A character
(names such as Zoë, Siobhán, Łukasz, Dvořák) and a few typographic ones (− × ’ “ ” – — …
≤ ≥ ±), rendered once here, anti-aliased, from DejaVu Sans (Bitstream
Vera licence: free to use, copy and redistribute) at two sizes, with 16 levels of coverage
(4 bits a pixel). Pillow is needed only here (it is a test dependency). The output is
deterministic.
"""

from __future__ import annotations

import base64
import struct
import sys
import zlib
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "rubric" / "export" / "plot_font.py"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SIZES = (22, 28)
CHARACTERS = (
    [chr(c) for c in range(32, 127)] + [chr(c) for c in range(0xA0, 0x180)]
    + list("−×’‘“”–—…≤≥±·")
)


def render(font_path: Path, size: int) -> bytes:
    """``size, ascent, descent, count`` then per glyph ``code, advance, x, y, w, h`` and its
    4-bit coverage, packed two pixels a byte (row by row)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), size)
    ascent, descent = font.getmetrics()
    out = [struct.pack("<HHHH", size, ascent, descent, len(CHARACTERS))]
    for char in CHARACTERS:
        advance = round(font.getlength(char))
        left, top, right, bottom = font.getbbox(char, anchor="ls")
        width, height = max(0, right - left), max(0, bottom - top)
        pixels = b""
        if width and height:
            image = Image.new("L", (width, height), 0)
            ImageDraw.Draw(image).text((-left, -top), char, font=font, fill=255, anchor="ls")
            values = [round(v * 15 / 255) for v in image.tobytes()]
            if len(values) % 2:
                values.append(0)
            pixels = bytes(values[i] << 4 | values[i + 1] for i in range(0, len(values), 2))
        out.append(struct.pack("<IhhhHH", ord(char), advance, left, top, width, height))
        out.append(pixels)
    return b"".join(out)


def main() -> int:
    font_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FONT
    blobs = {size: render(font_path, size) for size in SIZES}
    lines = [
        '"""Bitmap glyphs for the scatter plot\'s text (generated: do not edit).',
        "",
        "Made by ``packaging/make_plot_font.py`` from DejaVu Sans (Bitstream Vera licence; the",
        "DejaVu changes are in the public domain): anti-aliased coverage, 4 bits a pixel, at",
        f"{' and '.join(f'{s} px' for s in SIZES)}. :mod:`rubric.export.scatter` reads them.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "#: size in pixels → zlib-compressed, base64-encoded glyph table",
        "GLYPHS: dict[int, str] = {",
    ]
    for size, blob in blobs.items():
        text = base64.b64encode(zlib.compress(blob, 9)).decode("ascii")
        lines.append(f"    {size}: (")
        lines += [f'        "{text[i:i + 88]}"' for i in range(0, len(text), 88)]
        lines.append("    ),")
    lines.append("}")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
