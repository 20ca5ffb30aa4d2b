"""Regenerate the application icon's PNG, ICO and ICNS files from its SVG drawings.

    .venv/bin/python packaging/make_icons.py

``resources/icons/essay-marker.svg`` is the icon; ``essay-marker-16.svg`` and
``essay-marker-24.svg`` are the same design redrawn on those pixel grids (fewer, thicker
strokes, edges on whole pixels), because a scaled-down drawing turns to mush that small. QtSvg renders each size directly from the
drawing (never by scaling a big bitmap down); Pillow packs the renderings into the Windows
``.ico`` and macOS ``.icns``. The output is deterministic, so running this again after
editing an SVG is the whole release step for icons.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render(svg: Path, size: int) -> bytes:
    """PNG bytes of ``svg`` drawn at ``size`` × ``size`` pixels, transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"error: {svg} is not a valid SVG drawing")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QtSvg needs one
    images: dict[int, Image.Image] = {}
    for size in SIZES:
        drawn_for_size = ICONS / f"essay-marker-{size}.svg"
        png = render(drawn_for_size if drawn_for_size.exists() else ICONS / "essay-marker.svg",
                     size)
        (ICONS / f"essay-marker-{size}.png").write_bytes(png)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
        print(f"essay-marker-{size}.png")
    # Pillow writes every size it is given, from the images themselves (no rescaling) when
    # they are passed as append_images of matching sizes.
    largest = images[max(ICO_SIZES)]
    largest.save(ICONS / "essay-marker.ico", format="ICO",
                 sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    print("essay-marker.ico")
    images[max(ICNS_SIZES)].save(ICONS / "essay-marker.icns", format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES
                                                if s != max(ICNS_SIZES)])
    print("essay-marker.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
