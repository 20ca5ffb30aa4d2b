"""Pictures a widget keeps of itself, so that a repaint on a switch of script is a copy
of pixels rather than text laid out and shaded again (the script table's rows and cells,
the annotation list's entries, the level cards, the mark buttons, the total, the scroll
bars): one store for all of them, the least recently used picture forgotten first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from PySide6.QtGui import QColor, QPixmap


class KeptPictures:
    """Up to ``kept`` pictures by key (what the picture depends on, as one value)."""

    def __init__(self, kept: int):
        self.kept = kept
        self._pictures: OrderedDict[Hashable, QPixmap] = OrderedDict()

    def get(self, key: Hashable) -> QPixmap | None:
        picture = self._pictures.get(key)
        if picture is not None:
            self._pictures.move_to_end(key)
        return picture

    def put(self, key: Hashable, picture: QPixmap) -> QPixmap:
        self._pictures[key] = picture
        self._pictures.move_to_end(key)
        while len(self._pictures) > self.kept:
            self._pictures.popitem(last=False)
        return picture

    def clear(self) -> None:
        self._pictures.clear()

    def __len__(self) -> int:
        return len(self._pictures)


def new_picture(width: int, height: int, ratio: float, fill: QColor) -> QPixmap:
    """A picture of ``width`` × ``height`` logical pixels at ``ratio``, filled with ``fill``
    (what the widget is drawn over, for an opaque picture whose text keeps the screen's
    smoothing; transparent where the pieces cover it all)."""
    picture = QPixmap(round(width * ratio), round(height * ratio))
    picture.setDevicePixelRatio(ratio)
    picture.fill(fill)
    return picture


__all__ = ["KeptPictures", "new_picture"]
