"""Essay Marker's core: schemes, script import, the marking-set store, exports and the CLI.

Pure Python: this package never imports Qt or the GUI (an import-linter contract and a
test enforce it).
"""

import os as _os

__version__ = "0.1.0"

#: The package of the bundled resources (templates, samples, comment bank, icons): the
#: repository's top-level ``resources`` folder, installed as ``rubric.resources``.
RESOURCES = "rubric.resources"

# NumPy's linear algebra library (OpenBLAS) starts a thread per extra core when NumPy is
# first imported. Essay Marker's arrays are a class's worth (hundreds of values), which one
# thread handles as fast, and a process that keeps a single thread can hand long work to a
# fork of itself (rubric.forked); a value the user set is kept.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
del _os
