"""The panels of the workbench: the script view, the rubric panel and the start page."""
