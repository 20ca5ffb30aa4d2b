"""The ``essay-marker`` command line: every core job is scriptable.

Errors print one line, ``error: …``, on stderr and exit with status 1 (2 for a usage
mistake). ``--json`` prints machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rubric import __version__
from rubric.errors import EssayMarkerError, MarkError
from rubric.subcommands import SUBCOMMANDS


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _add_marker_options(parser: argparse.ArgumentParser, marker_help: str) -> None:
    parser.add_argument("--marker", help=marker_help)
    parser.add_argument("--initials")
    parser.add_argument("--role", default="teacher", choices=("teacher", "second", "moderator"))


# -- commands ---------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from rubric.store.library import new_set
    from rubric.templates import scheme_from_id_or_file

    scheme = scheme_from_id_or_file(args.scheme)
    path = new_set(args.name, scheme)
    if args.json:
        _print_json({"path": str(path), "name": args.name, "scheme": scheme.id})
    else:
        print(path)
    return 0


#: Sets opened by this command, so that ``main`` can report a backup that failed (a
#: failed backup never stops a change, but the teacher must hear of it).
_OPENED: list = []


def _open(set_arg: str):
    from rubric.store import MarkingSet
    from rubric.store.library import open_for_command

    path, note = open_for_command(set_arg)
    if note:
        print(note, file=sys.stderr)
    marking_set = MarkingSet.open(path)
    _OPENED.append((marking_set, marking_set.name))
    return marking_set


def _report_backup_problems() -> None:
    for marking_set, name in _OPENED:
        if marking_set.backup_problem:
            print(f"warning: {name}: saved; {marking_set.backup_problem}", file=sys.stderr)
    _OPENED.clear()


def _import_options(args: argparse.Namespace, word_limit: int | None = None):
    from rubric.importing.model import ImportOptions

    options = ImportOptions(word_limit=word_limit)
    if getattr(args, "pattern", None):
        options = ImportOptions(name_pattern=args.pattern, word_limit=word_limit)
    return options


def cmd_import(args: argparse.Namespace) -> int:
    outcomes = []
    with _open(args.set) as marking_set:
        options = _import_options(args, marking_set.scheme.word_limit)
        for outcome in marking_set.import_files(args.paths, options):
            outcomes.append(outcome)
            if not args.json:
                print(outcome.line(), flush=True)
    imported = sum(o.imported for o in outcomes)
    updated = sum(o.updated for o in outcomes)
    skipped = sum(o.skipped for o in outcomes)
    failed = len(outcomes) - imported - updated - skipped
    if args.json:
        _print_json({
            "imported": imported, "names_updated": updated, "skipped": skipped,
            "failed": failed,
            "files": [
                {"file": str(o.path), "status": "imported" if o.imported else
                 "names updated" if o.updated else "skipped" if o.skipped else "failed",
                 "script_id": o.script_id, "candidate": o.candidate, "reason": o.error,
                 "warnings": list(o.warnings)}
                for o in outcomes
            ],
        })
    else:
        names = f"{updated} names updated, " if updated else ""
        print(f"{imported} imported, {names}{skipped} skipped, {failed} failed")
    return 0 if imported or updated else 1


def cmd_inspect(args: argparse.Namespace) -> int:
    from rubric.importing import inspect_file

    draft = inspect_file(Path(args.file), _import_options(args, args.word_limit))
    data = draft.to_json()
    if args.json:
        _print_json(data)
        return 0
    print(f"file:       {data['file']} ({data['format']})")
    print(f"title:      {data['title'] or '(none found)'}")
    print(f"candidate:  {data['candidate'] or '(none found)'}")
    print(f"words:      {data['word_count']:,} (coursework count {data['coursework_word_count']:,})")
    print(f"paragraphs: {len(data['paragraphs'])}")
    for warning in data["warnings"]:
        print(f"warning:    {warning}")
    return 0


def cmd_scheme(args: argparse.Namespace) -> int:
    from rubric.scheme import load_scheme, scheme_summary
    from rubric.templates import bundled_templates, template

    if args.scheme_command == "list":
        templates = bundled_templates()
        if args.json:
            _print_json([scheme_summary(s) for s in templates])
        else:
            for scheme in templates:
                criteria = ", ".join(f"{c.name} {c.maximum}" for c in scheme.criteria)
                print(f"{scheme.id:28} {scheme.total:>3} marks  ({criteria})  {scheme.title}")
        return 0
    if args.scheme_command == "show":
        path = Path(args.id)
        scheme = load_scheme(path) if path.suffix == ".json" else template(args.id)
        if args.json:
            _print_json(scheme.to_dict())
        else:
            print(f"{scheme.title}  [{scheme.id}]  {scheme.board} {scheme.paper}".rstrip())
            print(f"Question: {scheme.question}")
            if scheme.word_limit:
                print(f"Word limit: {scheme.word_limit:,}")
            for criterion in scheme.criteria:
                print(f"\n{criterion.name} (out of {criterion.maximum})")
                for level in criterion.levels:
                    print(f"  {level.label:8} {level.range_text:>6}  {level.descriptor}")
        return 0
    # validate
    scheme = load_scheme(Path(args.file))
    if args.json:
        _print_json({"file": args.file, "valid": True, **scheme_summary(scheme)})
    else:
        print(f"{Path(args.file).name}: valid ({scheme.total} marks, "
              f"{len(scheme.criteria)} criteria)")
    return 0


def _script_row(marking_set, summary, statuses) -> dict[str, Any]:
    marks = marking_set.marks(summary.id)
    markers = {m.id: m for m in marking_set.markers()}
    return {
        "id": summary.id,
        "candidate": summary.candidate,
        "candidate_name": summary.candidate_name,
        "candidate_number": summary.candidate_number,
        "file": summary.file_name,
        "word_count": summary.word_count,
        "coursework_word_count": summary.coursework_word_count,
        "status": statuses[summary.id],
        "warnings": [w.message for w in summary.warnings],
        "marks": [
            {"criterion": m.criterion, "level": m.level, "mark": m.mark,
             "marker": markers[m.marker_id].name, "role": markers[m.marker_id].role,
             "needs_review": m.needs_review}
            for m in marks
        ],
    }


def cmd_scripts(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        statuses = marking_set.statuses()
        rows = [_script_row(marking_set, s, statuses) for s in marking_set.scripts()]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("no scripts yet (add some with: essay-marker import SET FILES...)")
        return 0
    for row in rows:
        marks = ", ".join(
            f"{m['criterion']} {m['mark'] if m['mark'] is not None else '?'}"
            f" ({m['marker']})" for m in row["marks"]
        ) or "-"
        print(f"{row['id']:>4}  {row['candidate'][:32]:32} {row['word_count']:>6,} words  "
              f"{row['status']:12} {marks}")
    return 0


def _criterion_name(marking_set, text: str) -> str:
    """A criterion as typed (``ao1`` is AO1)."""
    from rubric.marking import find_criterion

    criterion = find_criterion(marking_set.scheme, text)
    if criterion is None:
        known = ", ".join(c.name for c in marking_set.scheme.criteria)
        raise MarkError(f"no criterion '{text}' in the scheme (criteria: {known})")
    return criterion.name


def _level_label(marking_set, criterion_name: str, text: str) -> str:
    """A level as typed: ``4``, ``L4``, ``Level 4`` or ``level 4``."""
    from rubric.marking import parse_level

    criterion = marking_set.scheme.criterion(criterion_name)
    level = parse_level(criterion, text)
    if level is None:
        labels = ", ".join(lv.label for lv in criterion.levels)
        raise MarkError(f"{criterion.name}: no level '{text}' (levels: {labels})")
    return level.label


def cmd_mark(args: argparse.Namespace) -> int:
    from rubric.store import find_passage

    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        # Everything is checked before anything is written, and the writes are one
        # transaction: a mark call that fails leaves the set exactly as it was.
        criterion = None
        if args.criterion is not None:
            criterion = _criterion_name(marking_set, args.criterion)
        elif args.mark is not None or args.level is not None:
            if len(marking_set.scheme.criteria) != 1:
                names = ", ".join(c.name for c in marking_set.scheme.criteria)
                raise MarkError(f"say which criterion with --criterion ({names})")
            criterion = marking_set.scheme.criteria[0].name
        level = None
        if args.level is not None:
            level = _level_label(marking_set, criterion, args.level)
        if args.mark is not None or level is not None:
            marking_set.check_mark(criterion, args.mark, level)
        tag = None
        if args.annotation_criterion is not None:
            tag = _criterion_name(marking_set, args.annotation_criterion)
        text = marking_set.script(script_id).text
        for quote, _comment in args.annotate or []:
            if find_passage(text, quote) is None:
                short = quote if len(quote) <= 60 else quote[:57] + "..."
                raise MarkError(f"the passage “{short}” is not in this script")
        with marking_set.atomic():
            if args.marker:
                marking_set.use_marker(args.marker, args.initials, args.role)
            if args.mark is not None:
                marking_set.set_mark(script_id, criterion, args.mark, level)
            elif level is not None:
                marking_set.set_level(script_id, criterion, level)
            if args.www is not None or args.ebi is not None or args.comment is not None:
                marking_set.set_comments(script_id, www=args.www, ebi=args.ebi,
                                         general=args.comment)
            for quote, comment in args.annotate or []:
                marking_set.annotate_quote(script_id, quote, comment, tag)
            if args.complete:
                marking_set.set_complete(script_id, True)
        marker = marking_set.current_marker
        statuses = marking_set.statuses()
        row = _script_row(marking_set, marking_set.summary(script_id), statuses)
        row["total"] = marking_set.total(script_id)
        row["marker"] = {"name": marker.name, "initials": marker.initials, "role": marker.role}
    if args.json:
        _print_json(row)
    else:
        total = "no mark yet" if row["total"] is None else f"{row['total']}/{marking_set.scheme.total}"
        print(f"{row['candidate']}: {total}, {row['status']} (marker {marker.name}, {marker.role})")
    return 0


def cmd_edit_script(args: argparse.Namespace) -> int:
    if args.name is None and args.number is None:
        raise MarkError("say what to change: --name NAME and/or --number NUMBER "
                        "(an empty name, --name '', shows the script under its file name)")
    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        before = marking_set.summary(script_id)
        changes = marking_set.update_candidate(script_id, args.name, args.number)
        after = marking_set.summary(script_id)
    if args.json:
        _print_json({"id": script_id, "candidate": after.candidate,
                     "candidate_name": after.candidate_name,
                     "candidate_number": after.candidate_number,
                     "previous": before.candidate, "changed": not changes.nothing})
    elif changes.nothing:
        print(f"{after.candidate}: nothing to change")
    else:
        print(f"{after.candidate} (id {script_id}): was {before.candidate}")
    return 0


def cmd_remove_script(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        summary = marking_set.summary(script_id)
        marking_set.remove_script(script_id)
    if args.json:
        _print_json({"id": script_id, "candidate": summary.candidate, "removed": True})
    else:
        print(f"removed {summary.candidate} (id {script_id}); its marks and comments are kept "
              f"in the set (essay-marker restore-script SET #{script_id} brings it back)")
    return 0


def cmd_restore_script(args: argparse.Namespace) -> int:
    from rubric.errors import NotFoundError
    from rubric.ids import ScriptId

    wanted = args.script.strip().removeprefix("#").removeprefix("id:").strip()
    if not wanted.isdigit():
        raise NotFoundError(f"“{args.script}”: give the id of the removed script, e.g. #3")
    with _open(args.set) as marking_set:
        script_id = ScriptId(int(wanted))
        marking_set.restore_script(script_id)
        summary = marking_set.summary(script_id)
    if args.json:
        _print_json({"id": script_id, "candidate": summary.candidate, "removed": False})
    else:
        print(f"restored {summary.candidate} (id {script_id}) with its marks and comments")
    return 0


def cmd_replace_script(args: argparse.Namespace) -> int:
    from rubric.importing import inspect_file

    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        draft = inspect_file(Path(args.file),
                             _import_options(args, marking_set.scheme.word_limit))
        result = marking_set.replace_script_file(script_id, draft)
        summary = marking_set.summary(script_id)
        lost = [marking_set.annotation(a) for a in result.lost]
    if args.json:
        _print_json({"id": script_id, "candidate": summary.candidate, "file": summary.file_name,
                     "word_count": summary.word_count, "reanchored": result.reanchored,
                     "moved": result.moved, "lost": len(result.lost),
                     "lost_annotations": [{"id": a.id, "quote": a.quote, "comment": a.comment}
                                          for a in lost]})
    else:
        print(f"{summary.candidate}: {result.line()}")
        for annotation in lost:
            quote = annotation.quote if len(annotation.quote) <= 60 else \
                annotation.quote[:57] + "..."
            print(f"lost      “{quote}”: {annotation.comment}")
    return 0


def cmd_export_set(args: argparse.Namespace) -> int:
    from rubric.store.library import check_export_target

    with _open(args.set) as marking_set:
        target = check_export_target(marking_set, Path(args.path), force=args.force)
        path = marking_set.export_to(target)
    if args.json:
        _print_json({"path": str(path)})
    else:
        print(path)
    return 0


def cmd_open_set(args: argparse.Namespace) -> int:
    from rubric.store.library import import_set_file

    path = import_set_file(Path(args.file))
    if args.json:
        _print_json({"path": str(path)})
    else:
        print(path)
    return 0


def cmd_sets(args: argparse.Namespace) -> int:
    from rubric.store import set_files

    files = set_files()
    if args.json:
        _print_json([str(p) for p in files])
    else:
        for path in files:
            print(path)
    return 0


def _word_options(args: argparse.Namespace, marker_id):
    from rubric.export import WordOptions

    options = WordOptions(include_script=not args.no_script,
                          include_descriptors=not args.no_descriptors,
                          include_annotations=not args.no_annotations,
                          school=args.school or "", marker=marker_id)
    if args.pattern:
        from dataclasses import replace

        options = replace(options, file_pattern=args.pattern)
    return options


def _marker_by_name(marking_set, name: str | None, role: str | None = None):
    if not name:
        return None
    for marker in marking_set.markers():
        if marker.name == name and (role is None or marker.role == role):
            return marker.id
    known = ", ".join(f"{m.name} ({m.role})" for m in marking_set.markers()) or "none yet"
    raise MarkError(f"no marker called '{name}' in this set (markers: {known})")


def cmd_export(args: argparse.Namespace) -> int:
    from rubric import export

    if not any((args.word, args.pack, args.cover, args.excel, args.csv)):
        raise MarkError("say what to export: --word DIR, --pack FILE.docx, --cover DIR, "
                        "--excel FILE.xlsx and/or --csv FILE.csv")
    results: dict[str, Any] = {"written": [], "failed": [], "warnings": []}
    with _open(args.set) as marking_set:
        marker_id = _marker_by_name(marking_set, args.marker)
        options = _word_options(args, marker_id)
        if args.word:
            report = export.export_feedback_folder(marking_set, Path(args.word), options)
            results["written"] += [str(p) for p in report.written]
            results["failed"] += [[str(p), r] for p, r in report.failed]
        if args.cover:
            report = export.export_cover_sheets(marking_set, Path(args.cover), options)
            results["written"] += [str(p) for p in report.written]
            results["failed"] += [[str(p), r] for p, r in report.failed]
        for flag, run in (
            (args.pack, lambda: export.export_class_pack(marking_set, Path(args.pack), options)),
            (args.excel, lambda: export.export_markbook(marking_set, Path(args.excel),
                                                        marker_id)),
            (args.csv, lambda: export.export_csv(marking_set, Path(args.csv), marker_id)),
        ):
            if not flag:
                continue
            try:
                warnings = run()
            except EssayMarkerError as exc:
                results["failed"].append([flag, str(exc)])
                continue
            results["written"].append(str(flag))
            if isinstance(warnings, list):
                results["warnings"] += warnings
    if args.json:
        _print_json(results)
    else:
        for path in results["written"]:
            print(f"written   {path}")
        for path, reason in results["failed"]:
            print(f"failed    {Path(path).name}: {reason}")
        for warning in results["warnings"]:
            print(f"warning   {warning}")
        print(f"{len(results['written'])} written, {len(results['failed'])} failed")
    return 1 if results["failed"] else 0


def cmd_import_marks(args: argparse.Namespace) -> int:
    from rubric.export import apply_markbook, read_markbook

    with _open(args.set) as marking_set:
        if args.marker:
            marking_set.use_marker(args.marker, args.initials, args.role)
        changes = read_markbook(Path(args.file), marking_set)
        applied = False
        if changes.changes and not args.dry_run:
            apply_markbook(changes, marking_set, marking_set.current_marker.id)
            applied = True
    if args.json:
        _print_json({
            "changes": [c.line() for c in changes.changes],
            "problems": [p.line() for p in changes.problems],
            "rows_read": changes.rows_read,
            "applied": applied,
        })
    else:
        for line in changes.lines():
            print(line)
        if args.dry_run:
            print("dry run: nothing was changed")
        elif applied:
            print(f"applied {len(changes.changes)} changes")
    return 1 if changes.problems and not changes.changes else 0


def cmd_set_scheme(args: argparse.Namespace) -> int:
    from rubric.templates import scheme_from_id_or_file

    with _open(args.set) as marking_set:
        scheme = scheme_from_id_or_file(args.file)
        before = marking_set.scheme_version
        conflicts = marking_set.conflicts_with(scheme)
        changed = False
        if not args.dry_run:
            changed = bool(marking_set.update_scheme(scheme).scheme)
        names = {s.id: s.candidate for s in marking_set.scripts()}
        flagged = [{"script": int(c.mark.script_id), "candidate": names.get(c.mark.script_id, ""),
                    "criterion": c.mark.criterion, "level": c.mark.level, "mark": c.mark.mark,
                    "reason": c.reason} for c in conflicts if c.mark.script_id in names]
        result = {"scheme": scheme.id, "version_before": before,
                  "version": marking_set.scheme_version, "applied": changed,
                  "dry_run": bool(args.dry_run), "flagged": flagged}
    if args.json:
        _print_json(result)
    else:
        if args.dry_run:
            print(f"dry run: the scheme would become version {before + 1}; nothing was changed")
        elif changed:
            print(f"scheme version {result['version_before']} → {result['version']}")
        else:
            print("the scheme is unchanged")
        for row in flagged:
            print(f"flagged   {row['candidate']}: {row['reason']}")
        print(f"{len(flagged)} mark{'s' if len(flagged) != 1 else ''} to review")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from rubric.store.backups import backups_of
    from rubric.store.library import open_for_command

    path, _ = open_for_command(args.set)
    infos = backups_of(path)
    if args.json:
        _print_json([{"number": n, **i.to_json()} for n, i in enumerate(infos, start=1)])
    else:
        if not infos:
            print("no backups yet")
        for number, info in enumerate(infos, start=1):
            why = f"  ({info.reason})" if info.reason else ""
            size = f"{info.size / 1024 / 1024:.1f} MB" if info.size >= 1024 * 1024 else \
                f"{max(1, info.size // 1024)} KB"
            print(f"{number:>3}  {info.taken_at:%a %d %b %Y %H:%M:%S}  {size:>9}  {info.path.name}{why}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from rubric.store.library import find_backup, open_for_command, restore_backup

    path, _ = open_for_command(args.set)
    backup = find_backup(path, args.backup)
    kept = restore_backup(path, backup)
    if args.json:
        _print_json({"set": str(path), "restored": str(backup), "kept": str(kept)})
    else:
        print(f"restored {backup.name}; the state before is kept as backup {kept.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from rubric.demo import demo_set_path

    path = demo_set_path()
    if args.json:
        _print_json({"path": str(path)})
    else:
        print(path)
    return 0


# -- parser -----------------------------------------------------------------------------

_SCRIPT_HELP = ("the script: its id or candidate number (#12 or id:12 is always an id, "
                "number:12 always a candidate number)")


def build_parser() -> argparse.ArgumentParser:
    """The parser, built from the one registry of subcommands (rubric/subcommands.py):
    each ``NAME`` there has ``_args_NAME`` (its arguments) and ``cmd_NAME`` here."""
    parser = argparse.ArgumentParser(
        prog="essay-marker",
        description="Mark essays against level-based rubrics, offline. With no command, "
                    "opens the app (essay-marker [SET_OR_FILE]).",
    )
    parser.add_argument("--version", action="version", version=f"essay-marker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in SUBCOMMANDS:
        p = sub.add_parser(command.name, help=command.help)
        key = command.name.replace("-", "_")
        globals()[f"_args_{key}"](p)
        if command.name != "scheme":  # its own subcommands take --json
            _add_json(p)
        p.set_defaults(func=globals()[f"cmd_{key}"])
    return parser


# -- arguments of each subcommand ----------------------------------------------------------


def _args_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="the set's name, e.g. '13B Russia mock'")
    p.add_argument("--scheme", default="aqa-history-essay-25",
                   help="a template id (see 'scheme list') or a scheme JSON file")


def _args_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("set", help="a set's name or .markset path")
    p.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    p.add_argument("--pattern", help="file-name pattern, e.g. '{number}_{surname}_{forename}'")


def _args_inspect(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")
    p.add_argument("--pattern", help="file-name pattern, e.g. '{number}_{surname}_{forename}'")
    p.add_argument("--word-limit", type=int, help="warn above this coursework word count")


def _args_scheme(p: argparse.ArgumentParser) -> None:
    scheme_sub = p.add_subparsers(dest="scheme_command", metavar="list|show|validate",
                                  required=True)
    q = scheme_sub.add_parser("list", help="the bundled templates")
    _add_json(q)
    q = scheme_sub.add_parser("show", help="a template (by id) or a scheme file")
    q.add_argument("id")
    _add_json(q)
    q = scheme_sub.add_parser("validate", help="check a scheme JSON file")
    q.add_argument("file")
    _add_json(q)


def _args_scripts(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")


def _args_mark(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help=_SCRIPT_HELP)
    p.add_argument("--criterion", help="criterion name, e.g. AO1 (optional with one criterion)")
    p.add_argument("--mark", type=int)
    p.add_argument("--level", help="level: 4, L4 or 'Level 4'")
    p.add_argument("--www", help="what went well")
    p.add_argument("--ebi", help="even better if")
    p.add_argument("--comment", help="general comment")
    p.add_argument("--annotate", nargs=2, action="append", metavar=("QUOTED_PASSAGE", "COMMENT"),
                   help="comment on a passage of the script (repeatable)")
    p.add_argument("--annotation-criterion", help="tag --annotate comments with a criterion")
    p.add_argument("--complete", action="store_true", help="mark the script as finished")
    _add_marker_options(p, "marker name (default: the set's teacher)")


def _args_edit_script(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help=_SCRIPT_HELP)
    p.add_argument("--name", help="candidate name ('' to show the file name instead)")
    p.add_argument("--number", help="candidate number")


def _args_remove_script(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help=_SCRIPT_HELP)


def _args_restore_script(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help="the removed script's id, e.g. #3")


def _args_replace_script(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help=_SCRIPT_HELP)
    p.add_argument("file", help="the new version of the file")
    p.add_argument("--pattern", help="file-name pattern, e.g. '{number}_{surname}_{forename}'")


def _args_export_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("path")
    p.add_argument("--force", action="store_true",
                   help="replace an existing file (never a live or open set)")


def _args_open_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("file")


def _args_sets(p: argparse.ArgumentParser) -> None:
    pass


def _args_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--word", metavar="DIR", help="one feedback document per script")
    p.add_argument("--pack", metavar="FILE.docx", help="every script's feedback in one file")
    p.add_argument("--cover", metavar="DIR", help="a coursework cover sheet per script")
    p.add_argument("--excel", metavar="FILE.xlsx", help="the markbook")
    p.add_argument("--csv", metavar="FILE.csv", help="the Marks sheet as CSV")
    p.add_argument("--pattern", help="file names for --word, e.g. '{number}_{name}.docx' "
                                     "(fields: {candidate} {name} {number} {set} {id})")
    p.add_argument("--school", help="school name printed on Word documents")
    p.add_argument("--no-script", action="store_true", help="leave out the script text")
    p.add_argument("--no-descriptors", action="store_true", help="leave out level descriptors")
    p.add_argument("--no-annotations", action="store_true", help="leave out annotations")
    p.add_argument("--marker", help="whose marks to export (default: each script's teacher)")


def _args_import_marks(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--dry-run", action="store_true", help="only print what would change")
    _add_marker_options(p, "record the marks as this marker (e.g. the moderator)")


def _args_set_scheme(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("file", metavar="FILE.json")
    p.add_argument("--dry-run", action="store_true", help="only list the marks it would flag")


def _args_backups(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")


def _args_restore(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("backup", help="its number in 'backups' (1 = newest), file name or path")


def _args_demo(p: argparse.ArgumentParser) -> None:
    pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        code = args.func(args)
        _report_backup_problems()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader went away (``essay-marker scripts SET | head -1``): stop quietly
        _silence_stdout()
        return 0
    except EssayMarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("ESSAY_MARKER_DEBUG"):
            raise
        print(f"error: unexpected problem ({type(exc).__name__}: {exc}); "
              "set ESSAY_MARKER_DEBUG=1 for details", file=sys.stderr)
        return 1
    finally:
        _OPENED.clear()


if __name__ == "__main__":
    sys.exit(main())
