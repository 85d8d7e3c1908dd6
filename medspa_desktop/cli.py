"""Command line: a thin front on the same services the window uses.

    medspa-desktop [--db PATH]                 open the window
    medspa-desktop demo --db PATH [--seed N]   write the demo clinic to a new file
    medspa-desktop check --db PATH [--anchor ID:HASH]   integrity, schema version, audit chain
    medspa-desktop screenshot --db PATH --user NAME --tab NAME --out FILE.png
    medspa-desktop day-sheet --db PATH --user NAME [--date D] [--provider NAME] --out F.pdf
    medspa-desktop backup --db PATH [--to DIR]   back up the database and photos, checked
    medspa-desktop restore --from BACKUP --db PATH   put a checked backup in place
    medspa-desktop restore --from BACKUP --db postgresql://…   into an EMPTY server database
    medspa-desktop import-patients --db PATH --from FILE [--dry-run] [--report OUT.csv]
                   [--map "FIELD=COLUMN"] [--date-order MDY|DMY|YMD]   move in a patient list
    medspa-desktop export --db PATH --to DIR     the whole clinic in open formats (FHIR, CSV)
    medspa-desktop move-to-server --from clinic.db --to postgresql://…   grow to a server
    medspa-desktop import --from DIR --db NEW [--admin NAME]   an export into a new clinic
    medspa-desktop --version

A bad argument, a missing file or a file that is not a MedSpa database gives one line on stderr
and a non-zero exit, never a traceback.

``main`` is the one entry point (the ``medspa-desktop`` command, ``python main.py`` and
``python -m medspa_desktop``); with no subcommand it starts the window (``app.run_gui``).
The clinic-scale benchmark is not part of the program: ``python -m benchmarks`` from a source
checkout (``make bench``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import APP_NAME, __version__, paths

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
TABS = ("schedule", "patients", "treatments", "billing", "reports")


class CliError(Exception):
    """A one-line message for stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise CliError(f"{message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="medspa-desktop", description=f"{APP_NAME}: clinic management.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--db", help="database file or postgresql:// URL "
                                     "(default: $MEDSPA_DB, else the user data folder)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = sub.add_parser("demo", help="write the demo clinic to a new database file")
    demo.add_argument("--db", dest="sub_db", required=True, help="new database file")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--today", type=_date, help="anchor date YYYY-MM-DD (default today)")
    demo.add_argument("--patients", type=int, default=300, help="number of patients")

    check = sub.add_parser("check", help="check a database; exit 0 only when all is well")
    check.add_argument("--db", dest="sub_db", help="database to check")
    check.add_argument("--anchor", action="append", default=[], metavar="ID:HASH",
                       help="also compare the audit chain with a head printed on a daily close")

    shot = sub.add_parser("screenshot", help="render the main window to a PNG")
    shot.add_argument("--db", dest="sub_db", help="database to show")
    shot.add_argument("--user", required=True, help="user name to show the window as")
    shot.add_argument("--tab", default="schedule", choices=TABS)
    shot.add_argument("--out", required=True, help="PNG file to write")
    shot.add_argument("--date", type=_date, help="day the schedule shows (default today)")
    shot.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    sheet = sub.add_parser("day-sheet", help="write the day sheet PDF")
    sheet.add_argument("--db", dest="sub_db", help="database")
    sheet.add_argument("--user", required=True, help="user name the sheet is printed by")
    sheet.add_argument("--date", type=_date, help="day (default today)")
    sheet.add_argument("--provider", help="only this provider's user name")
    sheet.add_argument("--out", required=True, help="PDF file to write")

    save = sub.add_parser("backup", help="back up a database and its photos, and check it")
    save.add_argument("--db", dest="sub_db", help="database file to back up")
    save.add_argument("--to", help="backup folder (default: the clinic's backup folder)")
    put = sub.add_parser("restore", help="replace a database with a checked backup (the "
                                         "replaced file is kept beside it)")
    put.add_argument("--from", dest="source", required=True, help="a backup folder")
    put.add_argument("--db", dest="sub_db", required=True,
                     help="database file to replace, or an empty PostgreSQL database "
                          "(postgresql://…) for a server clinic's backup")
    move = sub.add_parser("import-patients", help="import patients from another system's CSV "
                                                  "or FHIR (Bundle or NDJSON) file")
    move.add_argument("--db", dest="sub_db", required=True, help="database to import into")
    move.add_argument("--from", dest="source", required=True, help="CSV or FHIR JSON file")
    move.add_argument("--dry-run", action="store_true",
                      help="check every row and report; write nothing")
    move.add_argument("--report", help="write the rows not imported, with why, to this CSV")
    move.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                      help='correct a guessed column, e.g. --map "DOB=birth date"')
    move.add_argument("--date-order", choices=("MDY", "DMY", "YMD"),
                      help="how the file writes dates, when 03/04/1990 could be either")
    move.add_argument("--include-duplicates", action="store_true",
                      help="import probable duplicates too (merge them later)")
    out = sub.add_parser("export", help="export the whole clinic in open formats (FHIR R4 "
                                        "NDJSON, CSV, the documents and photos)")
    out.add_argument("--db", dest="sub_db", help="database to export")
    out.add_argument("--to", required=True,
                     help="a new folder, or an existing one to make the export's folder in")
    grow = sub.add_parser("move-to-server", help="copy a clinic file into an empty PostgreSQL "
                                                 "database, verified (the file is kept)")
    grow.add_argument("--from", dest="source", required=True, help="the clinic's SQLite file")
    grow.add_argument("--to", required=True, help="postgresql://user:password@host/database")
    back = sub.add_parser("import", help="import a clinic export (medspa-desktop export) into "
                                         "a new, empty clinic file")
    back.add_argument("--from", dest="source", required=True, help="the export's folder")
    back.add_argument("--db", dest="sub_db", required=True,
                      help="the new clinic file (must not exist, or be empty)")
    back.add_argument("--admin", help="an admin of the export who gets a new password now "
                                      "(asked for; read from standard input when it is not "
                                      "a terminal); every other account waits for one")
    sub.add_parser("resources", help="list the user guide's pages and the icons the program "
                                     "finds; exit 1 when one is missing (the bundle's check)")
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-23") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths.owner_only_umask()  # what the program writes is its OS account's own
    if argv[:1] == ["bench"]:  # the subcommand of earlier versions
        print("medspa-desktop: error: the benchmark is not part of the program; from a source "
              "checkout run 'python -m benchmarks' (or 'make bench')", file=sys.stderr)
        return EXIT_USAGE
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            from .app import run_gui

            return run_gui(args.db or paths.default_database())
        target = getattr(args, "sub_db", None) or args.db or paths.default_database()
        return {"demo": cmd_demo, "check": cmd_check, "screenshot": cmd_screenshot,
                "day-sheet": cmd_day_sheet, "backup": cmd_backup,
                "restore": cmd_restore, "import-patients": cmd_import_patients,
                "export": cmd_export, "import": cmd_import, "resources": cmd_resources,
                "move-to-server": cmd_move_to_server}[args.command](args, target)
    except CliError as exc:
        print(f"medspa-desktop: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _open_existing(target: str):
    """Open a database that must already exist and be a MedSpa database, at this version."""
    from .store.database import NotAMedSpaDatabase, is_postgres_url, open_database
    from .store.migrations import NewerDatabaseError, migrate

    if not is_postgres_url(target) and not Path(target).is_file():
        raise CliError(f"{target}: no such database file")
    try:
        open_database(target)
        from .store.migrations import read_schema_version

        if read_schema_version() is None:
            raise CliError(f"{target} is not a MedSpa database (it is empty)")
        migrate()
    except (NotAMedSpaDatabase, NewerDatabaseError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # e.g. a PostgreSQL server that does not answer
        raise CliError(f"cannot open {target}: {exc}") from None


def _acting_user(target: str, username: str):
    """Open ``target`` and return the active user the command acts as."""
    _open_existing(target)
    from .services.platform.auth import get_user

    user = get_user(username)
    if user is None or not user.active:
        raise CliError(f"no active user named '{username}' in {target}")
    return user


def cmd_demo(args, target: str) -> int:
    from . import demo
    from .store.database import close_database, is_postgres_url, open_database
    from .store.migrations import migrate

    if args.patients < 1 or args.patients > 100_000:
        raise CliError("--patients must be between 1 and 100000")
    if not is_postgres_url(target):
        path = Path(target)
        if path.exists():
            raise CliError(f"{target} already exists; the demo is written to a new file")
        if not path.parent.is_dir():
            raise CliError(f"{path.parent}: no such folder")
        paths.private_file(path, create=True)  # owner-only before SQLite writes a page
    open_database(target)
    try:
        migrate()
        summary = demo.build_demo(
            seed=args.seed, today=args.today, patient_count=args.patients,
            progress=lambda step: print(f"demo: {step}...", file=sys.stderr),
        )
    finally:
        close_database()
    print(f"Demo clinic written to {target}: {summary.staff} staff, {summary.patients} "
          f"patients, {summary.appointments} appointments. Password for every demo account: "
          f"{demo.DEMO_PASSWORD}")
    return EXIT_OK


def cmd_resources(_args, _target: str) -> int:
    """What the window reads from resources/ at run time, found where the program looks (in
    the PyInstaller bundle too): the guide's pages (each with a title) and the icons."""
    from .paths import resource
    from .ui.help.pages import load_guide
    from .ui.widgets.icons import NAMES

    pages = load_guide()
    for page in pages:
        print(f"help: {page.title} ({len(page.sections)} sections)")
    missing = [name for name in NAMES if not resource("icons", f"{name}.svg").is_file()]
    print(f"icons: {len(NAMES) - len(missing)} of {len(NAMES)}")
    for name in missing:
        print(f"PROBLEM: icon {name}.svg is missing")
    if not pages:
        print(f"PROBLEM: no user guide pages in {resource('help')}")
    return EXIT_PROBLEMS if missing or not pages else EXIT_OK


def cmd_check(args, target: str) -> int:
    from .services.platform import audit_anchor
    from .services.platform.integrity import check_database
    from .store.database import (
        NotAMedSpaDatabase,
        close_database,
        damage_in_file,
        is_postgres_url,
    )

    if not is_postgres_url(target) and Path(target).is_file():
        try:
            damage = damage_in_file(target)
        except NotAMedSpaDatabase as exc:
            raise CliError(str(exc)) from None
        if damage:  # reported without opening it normally: nothing is written to it
            for problem in damage:
                print(f"PROBLEM: integrity: {problem}")
            print(f"{target}: damaged; restore a backup (medspa-desktop restore)")
            return EXIT_PROBLEMS
    try:
        printed = [audit_anchor.parse_printed(text) for text in args.anchor]
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _open_existing(target)
    try:
        problems = check_database()
        anchors = audit_anchor.compare(extra=printed)  # the chain against its anchors
    finally:
        close_database()
    for note in anchors.notes:
        print(note)
    problems += anchors.problems
    if problems:
        for problem in problems:
            print(f"PROBLEM: {problem}")
        print(f"{target}: {len(problems)} problem(s) found")
        return EXIT_PROBLEMS
    print(f"{target}: OK")
    return EXIT_OK


def cmd_screenshot(args, target: str) -> int:
    try:
        width, height = (int(n) for n in args.size.lower().split("x"))
    except ValueError:
        raise CliError(f"--size must look like 1280x800, not '{args.size}'") from None
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    user = _acting_user(target, args.user)
    from .ui.screenshot import render_main_window

    render_main_window(user, args.tab, out, (width, height), args.date)
    print(f"wrote {out}")
    return EXIT_OK


def cmd_day_sheet(args, target: str) -> int:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    user = _acting_user(target, args.user)
    from .printouts import day_sheet_pdf
    from .services.platform.auth import get_user
    from .services.platform.errors import DomainError
    from .services.platform.permissions import CLINICAL

    provider_id = None
    if args.provider:
        provider = get_user(args.provider)
        if provider is None or provider.role not in CLINICAL:
            raise CliError(f"no provider named '{args.provider}' in {target}")
        provider_id = provider.id
    try:
        pdf = day_sheet_pdf(user, args.date or dt.date.today(), provider_id)
    except DomainError as exc:
        raise CliError(str(exc)) from None
    out.write_bytes(pdf)
    print(f"wrote {out}")
    return EXIT_OK


def cmd_backup(args, target: str) -> int:
    from .services.platform import backup
    from .services.platform.errors import DomainError
    from .store.database import close_database

    _open_existing(target)
    try:
        folder = Path(args.to) if args.to else None
        last = [0]

        def progress(done: int, total: int) -> None:
            percent = 100 * done // max(total, 1)
            if percent >= last[0] + 10 or done == total:
                last[0] = percent
                print(f"backup: {percent}%", file=sys.stderr)

        result = backup.create_backup(None, folder, progress=progress, reason="command line")
    except DomainError as exc:
        raise CliError(str(exc)) from None
    finally:
        close_database()
    info = result.backup
    print(f"Backed up {target} to {info.path} ({info.size:,} bytes, {info.photos} photos, "
          f"checked) in {result.seconds:.1f} s"
          + (f"; rotated out {len(result.removed)} older" if result.removed else ""))
    for name in info.missing_photos:
        print(f"PROBLEM: photo {name} is named by the database but was not found")
    return EXIT_PROBLEMS if info.missing_photos else EXIT_OK


def cmd_restore(args, target: str) -> int:
    from .services.platform import backup
    from .services.platform.errors import DomainError
    from .store.database import close_database, in_use_elsewhere, is_postgres_url

    if is_postgres_url(target):
        return _restore_to_server(args, target)
    if in_use_elsewhere(target):  # what it saved next would go to the file moved aside
        raise CliError(f"{target} is open in MedSpa Desktop (or a backup or check is running "
                       "on it): close it first")
    try:
        result = backup.restore_backup(Path(args.source), Path(target))
    except DomainError as exc:
        raise CliError(str(exc)) from None
    _open_existing(target)  # upgrades an older backup's schema, with its own backup first
    close_database()
    print(f"Restored {args.source} to {target}"
          + (f"; the replaced database is kept as {result.replaced[0]}" if result.replaced
             else "") + (f"; {result.photos_restored} photos copied back"
                         if result.photos_restored else ""))
    return EXIT_OK


def _restore_to_server(args, target: str) -> int:
    """A server clinic's backup into an empty PostgreSQL database, then ``check`` there."""
    from .services.platform import pg_backup
    from .services.platform.errors import DomainError
    from .services.platform.integrity import check_database
    from .store.database import close_database

    try:
        result = pg_backup.restore_to_server(Path(args.source), target)
    except DomainError as exc:
        raise CliError(str(exc)) from None
    finally:
        close_database()
    _open_existing(target)  # upgrades an older backup's schema
    try:
        problems = check_database()
        rows, differ = pg_backup.count_problems(pg_backup.manifest_of(Path(args.source)))
    finally:
        close_database()
    print(f"Restored {args.source} into {result.target}"
          + (f"; {result.photos_restored} photos copied back" if result.photos_restored
             else ""))
    if rows:
        print(f"rows: {rows}" + ("" if differ else ", as many in every table as the backup"))
    problems = differ + problems
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"check: {len(problems)} problem(s) found" if problems else "check: OK")
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_import_patients(args, target: str) -> int:
    """Another system's patient list into this clinic: the same dry run and all-or-nothing
    import as Patients → Import patients…; exit 1 when nothing could be imported."""
    import getpass

    from .services.charts import patient_import as pi
    from .services.platform.errors import DomainError
    from .store.database import close_database

    source_path = Path(args.source)
    if not source_path.is_file():
        raise CliError(f"{source_path}: no such file")
    report = Path(args.report) if args.report else None
    if report is not None and not report.parent.is_dir():
        raise CliError(f"{report.parent}: no such folder")
    _open_existing(target)
    try:
        source = pi.read_source(source_path.name, source_path.read_bytes())
        if source.kind == "fhir":
            mapping = dict(pi.FHIR_MAPPING)
        else:
            mapping = pi.guess_mapping(source.headers)
            mapping.update(pi.parse_mapping_option(o, source.headers) for o in args.map)
        order = args.date_order
        if order is None:
            column = mapping.get("dob")
            orders = (["YMD"] if source.kind == "fhir" or column is None
                      else pi.date_orders([row[column] for row in source.rows]))
            if len(orders) > 1:
                raise CliError(f"dates like {_ambiguous_example(source, column)} could be "
                               "month/day or day/month: give --date-order MDY or DMY")
            order = orders[0]
        plan = pi.plan_from_command_line(source, mapping, order,
                                         include_duplicates=args.include_duplicates)
        columns = ", ".join(f"{pi.FIELDS[k]} <- {source.headers[i]}"
                            for k, i in mapping.items())
        print(f"{source_path.name}: {len(source.rows):,} rows; columns: {columns}; dates "
              f"{order}")
        for row in plan.refused[:20]:
            print(f"refused line {row.line}: {row.reason}")
        if len(plan.refused) > 20:
            print(f"… and {len(plan.refused) - 20:,} more refused (see --report)")
        if report is not None:
            report.write_text(pi.report_csv(plan), encoding="utf-8")
        if args.dry_run:
            print(f"dry run, nothing written: {plan.summary()}")
            return EXIT_OK if plan.to_write else EXIT_PROBLEMS
        if not plan.to_write:
            print(f"nothing imported: {plan.summary()}")
            return EXIT_PROBLEMS
        result = pi.run_from_command_line(plan, f"command line ({getpass.getuser()})")
    except DomainError as exc:
        raise CliError(str(exc)) from None
    finally:
        close_database()
    skipped = 0 if plan.include_duplicates else result.duplicates
    charts = (f"chart {result.first_chart}" if result.imported == 1
              else f"charts {result.first_chart} to {result.last_chart}")
    print(f"imported {result.imported:,} patient{'s' if result.imported != 1 else ''} "
          f"({charts}); {result.refused:,} refused, {skipped:,} probable duplicates skipped")
    return EXIT_OK


def _ambiguous_example(source, column: int | None) -> str:
    if column is None:
        return "03/04/1990"
    return next((row[column] for row in source.rows if row[column].strip()), "03/04/1990")


def cmd_import(args, target: str) -> int:
    """An export into a new clinic file (or an empty PostgreSQL database); on any refusal a
    file this command created is removed again."""
    from .services.exchange import import_clinic
    from .services.platform.errors import DomainError
    from .store.database import (
        NotAMedSpaDatabase,
        close_database,
        is_postgres_url,
        open_database,
    )
    from .store.migrations import NewerDatabaseError, migrate

    admin = (args.admin, _new_password(args.admin)) if args.admin else None
    created = None
    if not is_postgres_url(target):
        path = Path(target)
        if path.exists() and path.stat().st_size > 0:
            raise CliError(f"{target} already exists; an export is imported into a new file")
        if not path.parent.is_dir():
            raise CliError(f"{path.parent}: no such folder")
        if not path.exists():
            created = path
        paths.private_file(path, create=True)  # owner-only before SQLite writes a page
    try:
        open_database(target)
        try:
            migrate()
            result = import_clinic.import_clinic(
                args.source, progress=lambda step: print(f"import: {step}", file=sys.stderr),
                admin=admin)
        finally:
            close_database()
    except (DomainError, NotAMedSpaDatabase, NewerDatabaseError) as exc:
        _remove_new_file(created)
        raise CliError(str(exc)) from None
    except BaseException:
        _remove_new_file(created)
        raise
    print(f"Imported {args.source} into {target}: {result.summary()}")
    if result.staff_without_password:
        print("Staff accounts without a password yet: "
              + ", ".join(result.staff_without_password)
              + ". An admin sets each a new password (File → Staff accounts…) before they "
              "sign in"
              + ("." if admin else "; give an admin one with --admin NAME on the import."))
    return EXIT_OK


def _new_password(username: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(f"New password for {username}: ")
    if getpass.getpass("The same password again: ") != first:
        raise CliError("the two passwords differ")
    return first


def _remove_new_file(path: Path | None) -> None:
    if path is not None:
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)


def cmd_export(args, target: str) -> int:
    """As the computer's own account (``actor`` None, audited as the system): whoever runs it
    can read the database file itself."""
    from .services.exchange import export_clinic
    from .services.platform import settings
    from .services.platform.errors import DomainError
    from .store.database import close_database

    to = Path(args.to)
    _open_existing(target)
    try:
        if to.is_dir():  # a folder to put it in: the export's own folder inside
            to = to / export_clinic.folder_name(settings.get(settings.CLINIC_NAME),
                                                dt.datetime.now())
        result = export_clinic.export_clinic(
            None, to, progress=lambda step: print(f"export: {step}", file=sys.stderr))
    except DomainError as exc:
        raise CliError(str(exc)) from None
    finally:
        close_database()
    print(f"Exported {target} to {result.path} in {result.seconds:.1f} s")
    for group in ("fhir", "csv", "files"):
        counted = ", ".join(f"{kind} {n}" for kind, n in result.counts[group].items() if n)
        print(f"{group}: {counted or 'nothing'}")
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def cmd_move_to_server(args, _target: str) -> int:
    """Grow to a server (``services/exchange/copy_clinic.py``): the file is only read."""
    from .services.exchange import copy_clinic
    from .services.platform.errors import DomainError
    from .store.database import close_database

    try:
        result = copy_clinic.copy_clinic(
            args.source, args.to,
            progress=lambda step: print(f"move-to-server: {step}", file=sys.stderr))
    except DomainError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # the server broke off mid-way: nothing was kept there
        text = str(exc).strip().splitlines()
        raise CliError(f"the move did not complete, nothing was kept on the server: "
                       f"{text[0] if text else type(exc).__name__}") from None
    finally:
        close_database()
    print(f"Moved {args.source} to {result.target}:")
    for table, count in result.counts.items():
        if count:
            print(f"  {table}: {count}")
    print(f"  stored documents checked: {result.documents}, photo files: {result.photos}")
    print(f"{args.source} is kept unchanged as the fallback; now start every PC with "
          f"--db {result.target}")
    return EXIT_OK
