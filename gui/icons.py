"""The app's icons, loaded from ``rubric.resources`` (the repository's ``resources/icons``).

The application icon is a set of PNGs drawn for each size (``packaging/make_icons.py`` makes
them from the SVGs). Action icons are small line drawings in ``currentColor``: they are
tinted with the palette's text colour when painted, so one drawing works in light and dark
palettes, greys out when its action is disabled, and stays sharp at any device pixel ratio.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap

from rubric import RESOURCES

APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: the toolbar and menu actions that carry an icon, by action object name → drawing
ACTION_ICONS = {
    "import_scripts": "import",
    "previous_script": "previous",
    "next_script": "next",
    "complete_next": "complete-next",
    "annotate": "comment",
    "undo": "undo",
    "redo": "redo",
    "edit_rubric": "edit-rubric",
    "export": "export",
}
#: the one accent in the drawings (the tick of "complete"), and a lighter one for dark palettes
_ACCENT = "#1E9E5A"
_ACCENT_ON_DARK = "#45C383"


def _icon_file(*parts: str):
    return resources.files(RESOURCES).joinpath("icons", *parts)


def app_icon() -> QIcon:
    """The application icon, with the drawing made for each size (null when not installed)."""
    icon = QIcon()
    for size in APP_ICON_SIZES:
        source = _icon_file(f"essay-marker-{size}.png")
        if isinstance(source, Path):
            if source.is_file():
                icon.addFile(str(source), QSize(size, size))   # read when first painted
        elif source.is_file():
            pixmap = QPixmap()
            pixmap.loadFromData(source.read_bytes(), "PNG")
            icon.addPixmap(pixmap)
    return icon


@cache
def _drawing(name: str) -> str:
    return _icon_file("actions", f"{name}.svg").read_text(encoding="utf-8")


class TintedSvgEngine(QIconEngine):
    """Paints a ``currentColor`` SVG in the colour the palette gives text in each mode."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self._cache: dict[tuple, QPixmap] = {}

    def _svg(self, mode: QIcon.Mode) -> bytes:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            ink = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
            accent = ink
        elif mode == QIcon.Mode.Selected:
            ink = accent = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            ink = palette.color(QPalette.ColorRole.ButtonText)
            dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
            accent = QColor(_ACCENT_ON_DARK if dark else _ACCENT)
        text = _drawing(self.name).replace("currentColor", ink.name())
        return text.replace(_ACCENT, accent.name()).encode("utf-8")

    def _render(self, size: QSize, mode: QIcon.Mode, scale: float) -> QPixmap:
        from PySide6.QtSvg import QSvgRenderer  # imported when the first icon is painted

        svg = self._svg(mode)
        key = (size.width(), size.height(), scale, svg)
        pixmap = self._cache.get(key)
        if pixmap is None:
            pixels = QSize(round(size.width() * scale), round(size.height() * scale))
            pixmap = QPixmap(pixels)
            pixmap.fill(Qt.GlobalColor.transparent)
            side = min(pixels.width(), pixels.height())
            target = QRectF((pixels.width() - side) / 2, (pixels.height() - side) / 2, side, side)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            QSvgRenderer(QByteArray(svg)).render(painter, target)
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            if len(self._cache) > 32:
                self._cache.clear()
            self._cache[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,  # noqa: N802
                     scale: float) -> QPixmap:
        return self._render(size, mode, scale)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self._render(rect.size(), mode, scale))

    def clone(self) -> QIconEngine:
        return TintedSvgEngine(self.name)

    def key(self) -> str:
        return "essay-marker-tinted-svg"


def action_icon(name: str) -> QIcon:
    """The line drawing ``resources/icons/actions/<name>.svg`` as a palette-tinted icon."""
    return QIcon(TintedSvgEngine(name))
