"""The ``essay-marker`` entry point: subcommands go to the CLI, anything else opens the app.

Kept free of Qt imports so that CLI commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from rubric.subcommands import NAMES

    if args and (args[0] in NAMES or args[0] in ("-h", "--help", "--version")):
        from rubric.cli import main as cli_main

        return cli_main(args)
    from gui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
