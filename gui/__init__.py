"""Essay Marker's desktop app (PySide6). It calls only the public API of ``rubric``."""

import os as _os

# Qt's raster engine hands any fill of more than about a hundred lines (a scroll bar, a
# panel's background, the page behind a script) to a pool of threads, in pieces, and waits
# for them. For a window of widgets each hand-off costs more than the fill: switching
# script made some 800 thread wake-ups and took 12 ms where 8.7 ms do the same work on one
# thread. Qt reads it once, at the first such fill.
_os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
del _os
