"""The ``essay-marker`` entry point: subcommands go to the CLI, anything else opens the app.

Kept free of Qt imports so that CLI commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: The first argument of a frozen build's PDF/RTF sandbox child (the frozen app is its own
#: Python, so the child is the app started again with this option).
IMPORT_CHILD = "--import-child"
#: The first argument of a frozen build's background child (``rubric.forked``: long work,
#: such as an export's similarity check, done beside the app's own process).
BACKGROUND_CHILD = "--background-child"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
        from rubric import forked
        from rubric.importing import sandbox

        sandbox.CHILD_COMMAND = [sys.executable, IMPORT_CHILD]
        forked.CHILD_COMMAND = [sys.executable, BACKGROUND_CHILD]
    if args and args[0] == IMPORT_CHILD:
        # the sandbox appends "serve MEMORY_MB CPU_SECONDS" (see sandbox._command)
        from rubric.importing._pdf_child import main as child_main

        return child_main(args[1:])
    if args and args[0] == BACKGROUND_CHILD:
        from rubric.forked import serve_one

        return serve_one()
    from rubric.subcommands import NAMES

    if args and (args[0] in NAMES or args[0] in ("-h", "--help", "--version")):
        from rubric.cli import main as cli_main

        return cli_main(args)
    from gui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
