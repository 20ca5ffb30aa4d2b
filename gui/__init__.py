"""Essay Marker's desktop app (PySide6). It calls only the public API of ``rubric``."""
