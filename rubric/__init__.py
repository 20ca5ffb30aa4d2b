"""Essay Marker's core: schemes, script import, the marking-set store, exports and the CLI.

Pure Python: this package never imports Qt or the GUI (an import-linter contract and a
test enforce it).
"""

__version__ = "0.1.0"

#: The package of the bundled resources (templates, samples, comment bank, icons): the
#: repository's top-level ``resources`` folder, installed as ``rubric.resources``.
RESOURCES = "rubric.resources"
