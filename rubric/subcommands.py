"""The CLI's subcommand names, in a module of their own so the app's launcher can tell a
subcommand from a set name without importing the CLI."""

SUBCOMMANDS = (
    "new", "import", "inspect", "scheme", "scripts", "mark", "export-set", "open-set", "sets",
    "demo", "export", "import-marks", "edit-script", "remove-script", "restore-script",
    "replace-script", "set-scheme", "backups", "restore",
)
