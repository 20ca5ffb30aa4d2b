"""Dialogs: the small ones (new set, marker, import, candidate, confirmations) and, in modules of their own, export and the rubric editor."""

from gui.dialogs.common import (  # noqa: F401 - the room's public names
    AnnotationDialog,
    EditCandidateDialog,
    ImportDialog,
    ImportSummaryDialog,
    MarkerDialog,
    NewSetDialog,
    ask_backup,
    ask_marker_choice,
    complete_anyway,
    confirm,
    scheme_label,
)
