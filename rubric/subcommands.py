"""The one registry of the CLI's subcommands: their names and help, in order.

``rubric.cli`` builds its parser from it (each name has ``_args_NAME`` and ``cmd_NAME``
there), and the app's launcher routes by it, without importing the CLI (so the app starts
without argparse's work and the CLI without Qt).
"""

from __future__ import annotations

from typing import NamedTuple


class Subcommand(NamedTuple):
    name: str
    help: str


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand('new', "create a marking set in the app's data folder"),
    Subcommand('import', 'import script files and folders into a set'),
    Subcommand('inspect', 'show what the importer understands of a file'),
    Subcommand('scheme', 'list, show or validate schemes'),
    Subcommand('scripts', "list a set's scripts with their marks"),
    Subcommand('mark', 'record marks and comments for one script (all or nothing)'),
    Subcommand('edit-script', "correct a script's candidate name and/or number"),
    Subcommand('remove-script', 'take a script out of a set (its marks are kept)'),
    Subcommand('restore-script', 'bring back a removed script with its marks'),
    Subcommand('replace-script', "replace a script's file with a new version, keeping marks and re-anchoring annotations"),
    Subcommand('export-set', 'write a consistent copy of a set to share'),
    Subcommand('open-set', "bring a shared .markset file into the app's data folder"),
    Subcommand('sets', "list the marking sets in the app's data folder"),
    Subcommand('export', 'Word feedback, class pack, cover sheets, Excel, CSV'),
    Subcommand('import-marks', 'read marks back from an edited markbook'),
    Subcommand('set-scheme', 'apply an edited scheme (JSON file or template id) to a set, as the rubric editor does'),
    Subcommand('backups', "list a set's automatic backups, newest first"),
    Subcommand('restore', 'restore a backup (the current state is kept as one)'),
    Subcommand('demo', 'create (on first use) the bundled demo set; print its path'),
    Subcommand('merge', "merge markers' copies of a set back into it (preview with --dry-run)"),
    Subcommand('bank', 'export or import a comment bank (a department bank; --default for new sets)'),
    Subcommand('allocate', 'allocate scripts to markers: evenly at random, by class or by hand'),
    Subcommand('agree', 'record the agreed mark of a criterion (first, second, mean or typed)'),
    Subcommand('definitive', 'set a definitive mark for standardisation, or compare a marker with them'),
    Subcommand('blind', 'make a second marker or moderator mark blind, or reveal (audited)'),
    Subcommand('stats', 'agreement of markers: per criterion and totals, alpha, lenient or harsh, rank order'),
    Subcommand('sample', 'a moderation sample: a pack of the chosen scripts with their feedback and a markbook'),
    Subcommand('adjust', "propose (and --apply, or --undo) the adjustment of a teacher's marks to the moderator's"),
    Subcommand('cj', 'comparative judgement: fit a scale from the judgements, beside the rubric totals'),
    Subcommand('cj-pairs', 'the next pairs of scripts for a judge to compare (balanced, random sides)'),
    Subcommand('judge', 'record one comparative judgement: WINNER was the better answer than LOSER'),
    Subcommand('similar', 'pairs of scripts that share passages (quotations and the question left out)'),
)

#: The names alone, for the launcher.
NAMES = frozenset(command.name for command in SUBCOMMANDS)
