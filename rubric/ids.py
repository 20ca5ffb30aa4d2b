"""Typed ids for the objects of a marking set, so a script id is never passed where a marker id belongs."""

from __future__ import annotations

from typing import NewType

ScriptId = NewType("ScriptId", int)
MarkerId = NewType("MarkerId", int)
MarkId = NewType("MarkId", int)
AnnotationId = NewType("AnnotationId", int)
BankCommentId = NewType("BankCommentId", int)


def new_row_uuid() -> str:
    """A new row identity that survives copying the set to another machine: exactly
    ``uuid.uuid4().hex`` (random, version 4, RFC 4122 variant), without importing
    ``uuid``, which imports ``platform`` (~3 ms of every CLI call)."""
    import os

    value = int.from_bytes(os.urandom(16), "big")
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)   # the RFC 4122 variant
    value = (value & ~(0xF000 << 64)) | (4 << 76)        # version 4
    return f"{value:032x}"
