"""Typed ids for the objects of a marking set, so a script id is never passed where a marker id belongs."""

from __future__ import annotations

from typing import NewType

ScriptId = NewType("ScriptId", int)
MarkerId = NewType("MarkerId", int)
MarkId = NewType("MarkId", int)
AnnotationId = NewType("AnnotationId", int)
BankCommentId = NewType("BankCommentId", int)
