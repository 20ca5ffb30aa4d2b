"""Qt item models over the core's records (model/view: the script list, annotations, the comment bank)."""

from gui.models.lists import (  # noqa: F401 - the room's public names
    REVIEW_ROLE,
    ROOT,
    SCRIPT_ID_ROLE,
    SORT_ROLE,
    STATUS_COLOURS,
    STATUS_ROLE,
    AnnotationListModel,
    BankListModel,
    Index,
    ScriptFilterModel,
    ScriptListModel,
    short_level,
    whole_number,
)
