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
from rubric.subcommands import NAMES, SUBCOMMANDS


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
    from rubric.importing.parallel import Readers

    outcomes = []
    # for a class set, the workers that read the files start first: they load the
    # importer while this process opens the set
    readers = Readers.start(args.paths)
    try:
        with _open(args.set) as marking_set:
            options = _import_options(args, marking_set.scheme.word_limit)
            for outcome in marking_set.import_files(args.paths, options, readers):
                outcomes.append(outcome)
                if not args.json:
                    print(outcome.line(), flush=True)
    finally:
        if readers is not None:
            readers.close()
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
                 "script_id": o.script_id, "candidate": o.candidate,
                 "reason": o.reason if o.error else None,
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


def _script_row(marking_set, summary, statuses, viewer=None) -> dict[str, Any]:
    # as the viewer (default: the current marker) may see them: a blind marker sees only theirs
    marks = marking_set.marks_visible_to(viewer, summary.id)
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
        viewer = _marker_by_name(marking_set, args.marker)
        scripts = marking_set.scripts_for(viewer) if viewer else marking_set.scripts()
        rows = [_script_row(marking_set, s, statuses, viewer) for s in scripts]
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
        text = marking_set.script(script_id).text if args.annotate else ""
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
        statuses = {script_id: marking_set.status(script_id)}   # this script's alone
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
    if args.name is None and args.number is None and args.class_group is None:
        raise MarkError("say what to change: --name NAME, --number NUMBER and/or --class "
                        "CLASS (an empty name, --name '', shows the script under its file name)")
    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        before = marking_set.summary(script_id)
        changes = marking_set.update_candidate(script_id, args.name, args.number)
        if args.class_group is not None:
            changes = changes | marking_set.set_class(script_id, args.class_group)
        after = marking_set.summary(script_id)
        class_group = marking_set.class_of(script_id)
    if args.json:
        _print_json({"id": script_id, "candidate": after.candidate,
                     "candidate_name": after.candidate_name,
                     "candidate_number": after.candidate_number, "class": class_group,
                     "previous": before.candidate, "changed": not changes.nothing})
    elif changes.nothing:
        print(f"{after.candidate}: nothing to change")
    elif before.candidate != after.candidate:
        print(f"{after.candidate} (id {script_id}): was {before.candidate}")
    if not args.json and args.class_group is not None and not changes.nothing:
        print(f"{after.candidate} (id {script_id}): class {class_group or '(none)'}")
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
        from rubric.record import replace

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

    if not any((args.word, args.pack, args.cover, args.excel, args.csv,
                args.moderation_report)):
        raise MarkError("say what to export: --word DIR, --pack FILE.docx, --cover DIR, "
                        "--excel FILE.xlsx, --csv FILE.csv and/or --moderation-report "
                        "FILE.docx")
    from rubric.export.snapshot import exported_scripts
    from rubric.record import replace

    results: dict[str, Any] = {"written": [], "failed": [], "warnings": []}
    # Only the scripts marked (or moderated), unless --all: unmarked ones have no feedback.
    which = "all" if args.all else "marked"
    with _open(args.set) as marking_set:
        marker_id = _marker_by_name(marking_set, args.marker)
        options = replace(_word_options(args, marker_id), which=which)
        scripts = marking_set.scripts()
        exported = len(exported_scripts(scripts, marking_set.statuses(), which))
        results["scripts"] = exported
        results["left_out"] = len(scripts) - exported
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
                                                        marker_id, which)),
            (args.csv, lambda: export.export_csv(marking_set, Path(args.csv), marker_id,
                                                 which)),
            (args.moderation_report, lambda: _moderation_report(marking_set, args)),
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
        left_out = results["left_out"]
        if left_out:
            print(f"left out  {left_out} script{'s' if left_out != 1 else ''} not marked yet "
                  "(--all exports every script)")
        print(f"{len(results['written'])} written, {len(results['failed'])} failed")
    return 1 if results["failed"] else 0


def _moderation_report(marking_set, args: argparse.Namespace) -> None:
    from rubric.export.moderation_report import export_moderation_report

    export_moderation_report(marking_set, Path(args.moderation_report),
                             school=args.school or "")


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
            "ignored_columns": changes.ignored_columns,
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


def _marker_named(marking_set, name: str, role: str | None = None, create: bool = True):
    """The marker called ``name`` (any role, a teacher first, unless ``role``); added as a
    teacher (or ``role``) when the set has none of that name and ``create``."""
    marker = marking_set.find_marker(name, role)
    if marker is None:
        if not create:
            known = ", ".join(f"{m.name} ({m.role})" for m in marking_set.markers()) or "none"
            raise MarkError(f"no marker called '{name}' in this set (markers: {known})")
        created = marking_set.add_marker(name, role=role or "teacher").created
        marker = marking_set.marker(created)
    return marker


def cmd_merge(args: argparse.Namespace) -> int:
    from rubric.store.merge import apply_merge, plan_merge

    lists: dict[str, list] = {"new": [], "changed": [], "ignored": [], "conflicts": []}
    files: list[dict[str, Any]] = []
    failed = False
    with _open(args.set) as marking_set:
        for file in args.files:
            entry: dict[str, Any] = {"file": file, "applied": False}
            files.append(entry)
            try:
                plan = plan_merge(marking_set, Path(file))
            except EssayMarkerError as exc:
                entry["refused"] = str(exc)
                failed = True
                if not args.json:   # an error, as every command reports one (and the
                    print(f"error: {exc}", file=sys.stderr)   # other files go on)
                continue
            entry.update(markers=list(plan.markers), hash=plan.file_hash,
                         already_merged=plan.already_merged, **plan.counts())
            for key in lists:
                lists[key] += [{**item.to_json(), "file": file} for item in getattr(plan, key)]
            if not args.json:
                for line in plan.lines():
                    print(line)
            if args.dry_run:
                continue
            if plan.conflicts and not args.take:
                failed = True
                entry["held"] = "conflicts: choose with --take mine|theirs"
                if not args.json:
                    print(f"not merged {Path(file).name}: {len(plan.conflicts)} conflicts; "
                          "choose with --take mine or --take theirs (or one by one with "
                          "File › Merge… in the app)")
                continue
            result = apply_merge(marking_set, plan, take=args.take)
            entry["applied"] = result.applied
            if not args.json:
                print(f"merged    {Path(file).name}" if result.applied else
                      f"unchanged {Path(file).name}: merged before, nothing new")
    if args.json:
        _print_json({**lists, "applied": bool(files) and all(f["applied"] for f in files),
                     "dry_run": bool(args.dry_run), "files": files})
    elif args.dry_run:
        print("dry run: nothing was changed")
    return 1 if failed else 0


def cmd_bank(args: argparse.Namespace) -> int:
    from rubric import bank_file

    paths = [p for p in (args.set, args.file) if p is not None]
    if args.bank_command == "export":
        with _open(paths[0]) as marking_set:
            count = bank_file.export_bank(marking_set, Path(paths[1]))
        result: dict[str, Any] = {"file": paths[1], "comments": count}
        if args.json:
            _print_json(result)
        else:
            print(f"written   {paths[1]} ({count} comments)")
        return 0
    if len(paths) not in ((1, 2) if args.default else (2,)):
        raise MarkError("say which set and which file: bank import SET FILE.json "
                        "(or bank import --default FILE.json)")
    comments = bank_file.read_bank_file(Path(paths[-1]))
    result = {"file": paths[-1], "comments": len(comments)}
    if len(paths) == 2:
        with _open(paths[0]) as marking_set:
            merged = bank_file.merge_bank(marking_set, comments)
            set_name = marking_set.name
        result.update(added=merged.added, duplicates=merged.duplicates,
                      other_criteria=merged.other_criteria,
                      shortcuts_dropped=merged.shortcuts_dropped)
        if not args.json:
            print(f"{set_name}: {merged.line()}")
    if args.default:
        where = bank_file.set_default_bank(comments)
        result["default"] = str(where)
        if not args.json:
            print(f"default bank for new sets: {len(comments)} comments ({where})")
    if args.json:
        _print_json(result)
    return 0


def _allocation_json(marking_set) -> dict[str, list[dict[str, Any]]]:
    names = {s.id: s.candidate for s in marking_set.scripts()}
    classes = marking_set.classes()
    markers = {m.id: m.name for m in marking_set.markers()}
    result: dict[str, list[dict[str, Any]]] = {}
    for script_id, marker_id in marking_set.allocation().items():
        result.setdefault(markers[marker_id], []).append(
            {"id": int(script_id), "candidate": names.get(script_id, ""),
             "class": classes.get(script_id, "")})
    return result


def cmd_allocate(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        with marking_set.atomic():
            markers = [_marker_named(marking_set, name, args.role) for name in args.markers]
            ids = [m.id for m in markers]
            if args.scripts:
                if len(ids) != 1:
                    raise MarkError("--scripts gives scripts to one marker: name one with "
                                    "--markers")
                scripts = [marking_set.find_script(s) for s in args.scripts]
                changes = marking_set.allocate(scripts, ids[0])
            elif args.by == "class":
                changes = marking_set.allocate_by_class(ids)
            else:
                changes = marking_set.allocate_evenly(ids, seed=args.seed)
        allocation = _allocation_json(marking_set)
        unallocated = len(marking_set.scripts()) - sum(len(v) for v in allocation.values())
    if args.json:
        _print_json({"by": "hand" if args.scripts else args.by, "seed": args.seed,
                     "changed": len(changes.scripts), "allocation": allocation,
                     "unallocated": unallocated})
        return 0
    for name, scripts in allocation.items():
        groups = sorted({s["class"] for s in scripts if s["class"]})
        extra = f" (classes {', '.join(groups)})" if groups else ""
        print(f"{name}: {len(scripts)} scripts{extra}")
        for script in scripts:
            print(f"    {script['id']:>4}  {script['candidate']}")
    if unallocated:
        print(f"{unallocated} scripts not allocated")
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        script_id = marking_set.find_script(args.script)
        criterion = _criterion_name(marking_set, args.criterion)
        level = None if args.level is None else _level_label(marking_set, criterion, args.level)
        first = None if args.first is None else _marker_named(marking_set, args.first,
                                                              create=False).id
        second = None if args.second is None else _marker_named(marking_set, args.second,
                                                                create=False).id
        with marking_set.atomic():
            if args.marker:
                marking_set.use_marker(args.marker, args.initials, args.role)
            changes = marking_set.agree(script_id, criterion, args.method, args.mark,
                                        level=level, first=first, second=second)
        agreed = next(a for a in marking_set.agreed_marks(script_id) if a.criterion == criterion)
        by = marking_set.marker(agreed.agreed_by).name if agreed.agreed_by else ""
        one, two = marking_set.first_and_second(script_id, criterion, first=first,
                                                second=second)
        names = {m.id: m.name for m in marking_set.markers()}
        candidate = marking_set.summary(script_id).candidate
    row = {"script": int(script_id), "candidate": candidate, "criterion": criterion,
           "level": agreed.level, "mark": agreed.mark, "method": agreed.method,
           "agreed_by": by, "changed": not changes.nothing,
           "first": None if one is None else {"marker": names[one.marker_id], "mark": one.mark,
                                              "level": one.level},
           "second": None if two is None else {"marker": names[two.marker_id],
                                               "mark": two.mark, "level": two.level}}
    if args.json:
        _print_json(row)
    else:
        how = {"first": "the first marker's", "second": "the second marker's",
               "mean": "the mean", "typed": "typed"}[agreed.method]
        marks = "".join(f"; {key} marker {row[key]['mark']} ({row[key]['marker']})"
                        for key in ("first", "second") if row[key])
        print(f"{candidate} {criterion}: agreed {agreed.mark} ({agreed.level}), {how}"
              f"{marks}; agreed by {by}")
    return 0


def cmd_definitive(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        if args.compare:
            marker = _marker_named(marking_set, args.compare, create=False)
            names = {s.id: s.candidate for s in marking_set.scripts()}
            rows = [{**c.to_json(), "candidate": names.get(c.script_id, "")}
                    for c in marking_set.definitive_comparison(marker.id, args.tolerance)
                    if c.script_id in names]
            if args.json:
                _print_json({"marker": marker.name, "comparison": rows})
                return 0
            for r in rows:
                theirs = "not marked" if r["mark"] is None else f"{r['mark']} ({r['level']})"
                verdict = "" if r["within"] is None else (
                    "within tolerance" if r["within"] else "OUT of tolerance")
                diff = "" if r["difference"] is None else f"{r['difference']:+d}, "
                print(f"{r['candidate'][:30]:30} {r['criterion']:5} definitive "
                      f"{r['definitive_mark']} ({r['definitive_level']}); {marker.name} "
                      f"{theirs}  {diff}{verdict}")
            if not rows:
                print("no definitive marks yet (set them with: essay-marker definitive SET "
                      "SCRIPT --criterion AO1 --mark N)")
            return 0
        if args.script is None or args.mark is None:
            raise MarkError("say which script and mark: definitive SET SCRIPT --criterion AO1 "
                            "--mark N (or --compare MARKER)")
        script_id = marking_set.find_script(args.script)
        criterion = _criterion_name(marking_set, args.criterion or
                                    marking_set.scheme.criteria[0].name)
        if args.criterion is None and len(marking_set.scheme.criteria) != 1:
            names = ", ".join(c.name for c in marking_set.scheme.criteria)
            raise MarkError(f"say which criterion with --criterion ({names})")
        level = None if args.level is None else _level_label(marking_set, criterion, args.level)
        with marking_set.atomic():
            if args.marker:
                marking_set.use_marker(args.marker, args.initials, args.role)
            changes = marking_set.set_definitive(script_id, criterion, args.mark, level)
        found = next(d for d in marking_set.definitive_marks(script_id)
                     if d.criterion == criterion)
        candidate = marking_set.summary(script_id).candidate
        by = marking_set.marker(found.set_by).name if found.set_by else ""
    if args.json:
        _print_json({"script": int(script_id), "candidate": candidate, "criterion": criterion,
                     "level": found.level, "mark": found.mark, "set_by": by,
                     "changed": not changes.nothing})
    else:
        print(f"{candidate} {criterion}: definitive {found.mark} ({found.level}), set by {by}")
    return 0


def cmd_blind(args: argparse.Namespace) -> int:
    with _open(args.set) as marking_set:
        marker = marking_set.find_marker(args.marker, args.role)
        if marker is None:
            if args.reveal:
                raise MarkError(f"no marker called '{args.marker}' ({args.role}) in this set")
            marker = marking_set.marker(marking_set.add_marker(
                args.marker, args.initials, args.role).created)
        if args.reveal:
            changes = marking_set.reveal(marker.id)
        else:
            changes = marking_set.set_blind(marker.id, True)
        blind = marking_set.is_blind(marker.id)
    if args.json:
        _print_json({"marker": marker.name, "role": marker.role, "blind": blind,
                     "changed": not changes.nothing})
    elif blind:
        print(f"{marker.name} ({marker.role}) marks blind: other markers' marks, comments "
              "and annotations are hidden from them (and from their exports) until "
              "'essay-marker blind SET --marker NAME --reveal'")
    else:
        print(f"{marker.name} ({marker.role}) sees every marker's work"
              + (" (revealed; recorded in the audit log)" if not changes.nothing else ""))
    return 0


def _markers_to_compare(marking_set, table, args) -> list:
    from rubric.moderation.service import find_marker

    if args.all:
        markers = table.markers_with_marks()
        if len(markers) < 2:
            raise MarkError(f"--all needs marks from two or more markers; "
                            f"{len(markers)} marker{' has' if len(markers) == 1 else 's have'}"
                            " marked this set")
        return markers
    if not args.markers or len(args.markers) < 2:
        raise MarkError("say which markers to compare: --markers A B (names or initials), "
                        "or --all")
    return [find_marker(table.markers, name) for name in args.markers]


def cmd_stats(args: argparse.Namespace) -> int:
    from rubric.moderation.service import MarksTable, compare
    from rubric.moderation.text import stats_lines

    with _open(args.set) as marking_set:
        table = MarksTable.from_set(marking_set)
        markers = _markers_to_compare(marking_set, table, args)
        comparison = compare(table, markers, args.tolerance)
    if args.json:
        _print_json(comparison.to_json())
    else:
        print("\n".join(stats_lines(comparison)))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from rubric.moderation.pack import write_sample_pack
    from rubric.moderation.service import MarksTable, find_marker, plan_sample
    from rubric.moderation.text import sample_lines

    if args.size is not None and args.rule is not None:
        raise MarkError("give --size N or --rule NAME, not both")
    with _open(args.set) as marking_set:
        table = MarksTable.from_set(marking_set)
        marker = None if args.marker is None else find_marker(table.markers, args.marker)
        plan = plan_sample(table, size=args.size, rule=args.rule, marker=marker)
        pack = write_sample_pack(marking_set, plan.ids, Path(args.out), force=args.force,
                                 marker=None if marker is None else marker.id)
    files = [str(p) for p in pack.files]
    if args.json:
        _print_json({"sample": plan.to_json(), "files": files, "rule": plan.rule,
                     "size": plan.size, "marked": plan.marked,
                     "failed": [[str(p), r] for p, r in pack.failed]})
    else:
        print("\n".join(sample_lines(plan, files)))
        for path, reason in pack.failed:
            print(f"failed    {Path(path).name}: {reason}")
    return 1 if pack.failed else 0


def cmd_adjust(args: argparse.Namespace) -> int:
    from rubric.moderation.service import (
        MarksTable,
        apply_plan,
        find_marker,
        propose,
        undo_adjustment,
    )
    from rubric.moderation.text import adjust_lines, undo_lines

    if args.undo:
        if args.apply or args.from_marker or args.to_marker:
            raise MarkError("--undo takes back the last adjustment: give it alone")
        with _open(args.set) as marking_set:
            undone = undo_adjustment(marking_set)
            names = {s.id: s.candidate for s in marking_set.scripts()}
        if args.json:
            _print_json({"undone": undone.audit_id, "restored": [
                {"id": s, "candidate": names.get(s, ""), "criterion": c, "adjusted": a,
                 "restored": r} for s, c, a, r in undone.marks]})
        else:
            print("\n".join(undo_lines(undone, names)))
        return 0
    if not args.from_marker or not args.to_marker:
        raise MarkError("say whose marks to adjust to whose: --from TEACHER --to MODERATOR "
                        "(or --undo)")
    applied = None
    with _open(args.set) as marking_set:
        table = MarksTable.from_set(marking_set)
        teacher = find_marker(table.markers, args.from_marker)
        moderator = find_marker(table.markers, args.to_marker)
        plan = propose(table, teacher, moderator, args.tolerance)
        if args.apply and plan.needed:
            applied = apply_plan(marking_set, plan)
    if args.json:
        result = plan.to_json(applied=applied is not None)
        if applied is not None:
            result.update(backup=str(applied.backup), audit_id=applied.audit_id)
        _print_json(result)
    else:
        print("\n".join(adjust_lines(plan, applied)))
    return 0


def cmd_cj(args: argparse.Namespace) -> int:
    from rubric.comparing import cj_report, read_judgements_csv

    with _open(args.set) as marking_set:
        judgements = None if args.judgements is None else \
            read_judgements_csv(marking_set, args.judgements)
        viewer = _marker_by_name(marking_set, args.marker)
        report = cj_report(marking_set, judgements, viewer=viewer,
                           source="set" if args.judgements is None else Path(args.judgements).name)
    if args.json:
        _print_json(report.to_json())
    else:
        print("\n".join(report.lines()))
    return 0


def cmd_cj_pairs(args: argparse.Namespace) -> int:
    from rubric.comparing import pair_lines

    if args.n < 1:
        raise MarkError("--n must be 1 or more")
    with _open(args.set) as marking_set:
        judge = marking_set.find_marker(args.judge)
        names = {s.id: s.candidate for s in marking_set.scripts()}
        if len(names) < 2:
            raise MarkError("comparative judgement needs two scripts or more in the set")
        # a judge new to the set has judged nothing yet: nobody's pairs are theirs
        pairs = marking_set.judging_pairs(args.n, judge.id if judge else -1, seed=args.seed)
    if args.json:
        _print_json([{"left": int(left), "right": int(right), "left_candidate": names[left],
                      "right_candidate": names[right]} for left, right in pairs])
    else:
        print("\n".join(pair_lines(pairs, names)))
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from rubric.comparing import progress_line

    with _open(args.set) as marking_set:
        winner = marking_set.find_script(args.winner)
        loser = marking_set.find_script(args.loser)
        with marking_set.atomic():
            judge = (_marker_named(marking_set, args.judge) if args.judge
                     else marking_set.current_marker)
            changes = marking_set.add_judgement(winner, loser, args.seconds, judge=judge.id)
        progress = marking_set.judging_progress(args.per_script)
        names = {s: marking_set.summary(s).candidate for s in (winner, loser)}
    line = progress_line(progress, args.per_script)
    if args.json:
        _print_json({"id": changes.created, "winner": int(winner), "loser": int(loser),
                     "judge": judge.name, "seconds": args.seconds, "progress": line,
                     "made": progress.made, "target": progress.target})
    else:
        print(f"recorded  {names[winner]} better than {names[loser]} (judge {judge.name}); "
              f"{line}")
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    from rubric.comparing import (
        similarity_json,
        similarity_lines,
        similarity_options,
        similarity_report,
    )

    options = similarity_options(args.include_quotes, args.include_question, args.min_words)
    with _open(args.set) as marking_set:
        names = {s.id: s.candidate for s in marking_set.scripts()}
        report = similarity_report(marking_set, options)
    if args.json:
        _print_json(similarity_json(report, names))
    else:
        print("\n".join(similarity_lines(report, names)))
    return 0


# -- parser -----------------------------------------------------------------------------

_SCRIPT_HELP = ("the script: its id or candidate number (#12 or id:12 is always an id, "
                "number:12 always a candidate number)")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser, built from the one registry of subcommands (rubric/subcommands.py):
    each ``NAME`` there has ``_args_NAME`` (its arguments) and ``cmd_NAME`` here. With
    ``only``, that subcommand's alone (building every one costs a CLI call ~10 ms)."""
    parser = argparse.ArgumentParser(
        prog="essay-marker",
        description="Mark essays against level-based rubrics, offline. With no command, "
                    "opens the app (essay-marker [SET_OR_FILE]).",
    )
    parser.add_argument("--version", action="version", version=f"essay-marker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in SUBCOMMANDS:
        if only is not None and command.name != only:
            continue
        p = sub.add_parser(command.name, help=command.help)
        key = command.name.replace("-", "_")
        globals()[f"_args_{key}"](p)
        if command.name not in ("scheme", "bank"):  # their own subcommands take --json
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
    p.add_argument("--marker", help="as this marker sees them: their allocated scripts first, "
                                    "and only their own marks while they mark blind")


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
    p.add_argument("--class", dest="class_group", metavar="CLASS",
                   help="the teaching group, e.g. 13B ('' for none), for allocation by class")


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
    p.add_argument("--all", action="store_true",
                   help="export every script (default: only scripts marked or moderated)")
    p.add_argument("--moderation-report", metavar="FILE.docx",
                   help="the moderation report: the sample, agreement, scatter plots, the "
                        "adjustment and room for the moderator's commentary")


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


def _args_merge(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="markers' copies of the set (.markset), merged in order")
    p.add_argument("--dry-run", action="store_true", help="only preview what would change")
    p.add_argument("--take", choices=("mine", "theirs"),
                   help="settle every conflict this way (without it, a file with conflicts "
                        "is not merged)")


def _args_bank(p: argparse.ArgumentParser) -> None:
    bank_sub = p.add_subparsers(dest="bank_command", metavar="export|import", required=True)
    q = bank_sub.add_parser("export", help="write a set's comment bank to a JSON file")
    q.add_argument("set")
    q.add_argument("file", metavar="FILE.json")
    _add_json(q)
    q = bank_sub.add_parser("import", help="merge a bank file into a set, without duplicates")
    q.add_argument("set", help="the set (leave it out with --default to set only the default)")
    q.add_argument("file", nargs="?", metavar="FILE.json")
    q.add_argument("--default", action="store_true",
                   help="also make it the bank every new set starts with")
    _add_json(q)


def _args_allocate(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--markers", nargs="+", required=True, metavar="NAME",
                   help="the markers to share the scripts among (added if new)")
    p.add_argument("--by", choices=("random", "class"), default="random",
                   help="evenly at random (default), or keeping each class together")
    p.add_argument("--seed", type=int, help="the same seed gives the same random allocation")
    p.add_argument("--scripts", nargs="+", metavar="SCRIPT",
                   help="give these scripts to the one marker named (by hand)")
    p.add_argument("--role", choices=("teacher", "second", "moderator"),
                   help="the markers' role (default: any; new markers are teachers)")


def _args_agree(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", help=_SCRIPT_HELP)
    p.add_argument("--criterion", required=True, help="criterion name, e.g. AO1")
    p.add_argument("--method", required=True, choices=("first", "second", "mean", "typed"),
                   help="the first marker's mark, the second's, their mean (a half rounded "
                        "up) or a typed mark")
    p.add_argument("--mark", type=int, help="the agreed mark (with --method typed)")
    p.add_argument("--level", help="the level of a typed mark (default: the one it is in)")
    p.add_argument("--first", metavar="NAME", help="the first marker (default: the script's "
                                                   "allocated marker, else its teacher)")
    p.add_argument("--second", metavar="NAME", help="the second marker (default: another "
                                                    "marker who marked it)")
    _add_marker_options(p, "who agrees the mark (default: the set's teacher)")


def _args_definitive(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("script", nargs="?", help=_SCRIPT_HELP)
    p.add_argument("--criterion", help="criterion name, e.g. AO1 (optional with one criterion)")
    p.add_argument("--mark", type=int, help="the definitive mark")
    p.add_argument("--level", help="its level (default: the one the mark is in)")
    p.add_argument("--compare", metavar="MARKER",
                   help="instead, compare this marker's marks with the definitive ones")
    p.add_argument("--tolerance", type=float,
                   help="with --compare: marks of difference allowed (default 3 on 25, "
                        "scaled by each criterion's maximum)")
    _add_marker_options(p, "who sets the definitive mark (default: the set's teacher)")


def _args_blind(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--marker", required=True, help="the second marker or moderator")
    p.add_argument("--initials")
    p.add_argument("--role", default="moderator", choices=("teacher", "second", "moderator"))
    p.add_argument("--reveal", action="store_true",
                   help="show them everyone's work (recorded in the audit log)")


def _args_stats(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--markers", nargs="+", metavar="NAME",
                   help="the markers to compare, by name or initials (two for agreement; "
                        "more adds alpha across them); NAME:ROLE when one name has two roles")
    p.add_argument("--all", action="store_true", help="every marker who has marked the set")
    p.add_argument("--tolerance", type=float, metavar="N",
                   help="marks on the total (default 3 on 25, scaled by the maximum); each "
                        "criterion gets its share")


def _args_sample(p: argparse.ArgumentParser) -> None:
    from rubric.moderation import SAMPLE_RULES

    p.add_argument("set")
    p.add_argument("--out", required=True, metavar="PACK.markset",
                   help="the pack to write: a set holding only the sampled scripts (their Word "
                        "feedback and a markbook are written beside it)")
    p.add_argument("--size", type=int, metavar="N", help="how many scripts to sample")
    p.add_argument("--rule", choices=tuple(SAMPLE_RULES),
                   help="how many by a rule: " + "; ".join(
                       f"{name}: {text}" for name, text in SAMPLE_RULES.items()))
    p.add_argument("--marker", metavar="NAME",
                   help="whose totals rank the scripts (default: each script's teacher)")
    p.add_argument("--force", action="store_true", help="replace an existing pack file")


def _args_adjust(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--from", dest="from_marker", metavar="TEACHER",
                   help="whose marks to adjust (name or initials)")
    p.add_argument("--to", dest="to_marker", metavar="MODERATOR",
                   help="the moderator whose sample marks set the line")
    p.add_argument("--tolerance", type=float, metavar="N",
                   help="marks on the total (default 3 on 25, scaled by the maximum)")
    p.add_argument("--apply", action="store_true",
                   help="write the adjusted marks as the teacher's (one step; a backup first)")
    p.add_argument("--undo", action="store_true",
                   help="take back the last adjustment (the marks come back from the audit log)")


def _args_cj(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--judgements", metavar="FILE.csv",
                   help="fit these judgements instead of the set's: rows of "
                        "winner_id,loser_id[,judge] (script ids of the set)")
    p.add_argument("--marker", metavar="NAME",
                   help="as this marker sees the set (a blind marker: their own judgements "
                        "and marks only)")


def _args_cj_pairs(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--judge", required=True, metavar="NAME", help="the marker who will judge")
    p.add_argument("--n", type=int, default=10, metavar="N", help="how many pairs (default 10)")
    p.add_argument("--seed", type=int, help="repeatable choices (default: random)")


def _args_judge(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("winner", help="the better answer: " + _SCRIPT_HELP)
    p.add_argument("loser", help="the other script of the pair")
    p.add_argument("--judge", metavar="NAME",
                   help="who judged (default: the set's current marker; added if new)")
    p.add_argument("--seconds", type=float, metavar="S", help="how long the judgement took")
    p.add_argument("--per-script", type=int, default=10, metavar="N",
                   help="the target the progress counts towards (default 10 per script)")


def _args_similar(p: argparse.ArgumentParser) -> None:
    p.add_argument("set")
    p.add_argument("--include-quotes", action="store_true",
                   help="count text in quotation marks too (left out by default)")
    p.add_argument("--include-question", action="store_true",
                   help="count wording shared with the question too (left out by default)")
    p.add_argument("--min-words", type=int, metavar="N",
                   help="list pairs sharing at least N words (default 15)")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in NAMES else None)
    args = parser.parse_args(argv)
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
