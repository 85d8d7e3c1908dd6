"""``python -m benchmarks`` (``make bench``): build (once) the synthetic clinic, time every
action, print the table and write it as JSON.

    python -m benchmarks [--scale S] [--growth T] [--out FILE.json] [--quick] [--cache DIR]
    python -m benchmarks --postgres [--latency-ms 1] [--scale S] [--out FILE.json] [--quick]

``--growth T`` times the interactive actions again on the clinic at scale T and adds the
column T/S (p95 against p95). ``--quick`` is a tiny clinic and few repetitions: it proves the
benchmark still runs (CI), its numbers mean nothing. ``--postgres`` times the interactive
actions on a PostgreSQL server the benchmark starts, directly and with a LAN's latency added
by a delaying proxy, and the time another PC takes to show a commit (``benchmarks/postgres.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from . import actions, synthetic
from .timing import Result, table

QUICK_SCALE = 0.01


def machine() -> dict:
    cpu, memory = platform.processor(), None
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh
                    if line.startswith("model name")), cpu)
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from PySide6 import __version__ as pyside

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory and round(memory, 1),
            "system": platform.platform(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "pyside6": pyside}


def measure(folder: Path, scale: float, quick: bool, say, only: set[str] | None = None,
            interactive_only: bool = False) -> tuple[list[Result], dict]:
    """Every action's results on a fresh working copy of the cached clinic at ``scale``."""
    from medspa_desktop.store.database import close_database, open_database

    cached, anchor = synthetic.cached_clinic(folder, scale, say)
    work = folder / f"run-s{scale:g}.db"
    for old in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        old.unlink(missing_ok=True)
    say(f"copying {cached.name} to a working copy")
    shutil.copyfile(cached, work)  # the runs book, sign and audit: the cache stays as built
    open_database(work)
    raw = sqlite3.connect(f"file:{work}?mode=ro", uri=True, check_same_thread=False)
    context = actions.Context(work, anchor, scale, quick, raw, say)
    counts = {t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (
        "patient", "appointment", "treatment_record", "invoice", "audit_event", "photo")}
    results: list[Result] = []
    try:
        for action in actions.ACTIONS:
            if only and action.__name__ not in only:
                continue
            if interactive_only and action in actions.NOT_INTERACTIVE:
                continue
            say(f"timing {action.__name__}")
            found = action(context)
            results.extend(found if isinstance(found, list) else [found])
    finally:
        raw.close()
        close_database()
    info = {"scale": scale, "anchor": anchor.isoformat(), "rows": counts,
            "file_mb": round(cached.stat().st_size / 1e6)}
    return results, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--scale", type=float, help="the clinic's size (default 1)")
    parser.add_argument("--growth", type=float, help="also time the interactive actions at "
                                                     "this scale, and compare")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.add_argument("--quick", action="store_true", help="a tiny clinic, few repetitions")
    parser.add_argument("--cache", type=Path, default=Path("build/bench"),
                        help="where built clinics are kept (default build/bench)")
    parser.add_argument("--only", help="comma-separated action names (see benchmarks/actions; with --postgres, change_bus names the other PC's commit)")
    parser.add_argument("--postgres", action="store_true",
                        help="the interactive actions on a PostgreSQL server it starts")
    parser.add_argument("--latency-ms", type=float, default=1.0,
                        help="with --postgres: the time added per round trip (default 1)")
    args = parser.parse_args(argv)
    scale = args.scale or (QUICK_SCALE if args.quick else 1.0)
    if scale <= 0 or (args.growth is not None and args.growth <= scale):
        parser.error("--scale must be above 0, and --growth above --scale")
    only = set(args.only.split(",")) if args.only else None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # the benchmark's backups, daily closes and log anchors go beside its clinics, never into
    # the log folder of a clinic this account runs (its anchor file would name these files)
    os.environ.setdefault("MEDSPA_LOG_DIR", str((args.cache / "log").resolve()))
    from medspa_desktop.app import make_application

    make_application()
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr,
              flush=True)

    if args.postgres:
        return _postgres(args, scale, say, only)
    results, info = measure(args.cache, scale, args.quick, say, only)
    growth = None
    grown_info = None
    if args.growth:
        grown, grown_info = measure(args.cache, args.growth, args.quick, say, only,
                                    interactive_only=True)
        before = {r.action: r for r in results}
        growth = {r.action: r.p95 / before[r.action].p95 for r in grown
                  if r.interactive and r.p95 and r.action in before and before[r.action].p95}
    print(f"\nMedSpa Desktop benchmark, scale {scale:g} ({info['rows']['appointment']:,} "
          f"appointments, {info['rows']['patient']:,} patients, "
          f"{info['rows']['audit_event']:,} audit events, {info['file_mb']:,} MB)"
          + (f", growth against scale {args.growth:g}" if growth is not None else ""))
    print(table(results, growth))
    facts = machine()
    print(f"\n{facts['cpu']}, {facts['cores']} cores, {facts['memory_gib']} GiB; "
          f"{facts['system']}; Python {facts['python']}, SQLite {facts['sqlite']}, "
          f"PySide6 {facts['pyside6']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({
            "when": dt.datetime.now().isoformat(timespec="seconds"), "machine": facts,
            "clinic": info, "grown_clinic": grown_info, "quick": args.quick,
            "results": [r.as_dict() for r in results], "growth": growth}, indent=2))
        print(f"wrote {args.out}")
    return 0


def _postgres(args, scale: float, say, only: set[str] | None) -> int:
    from . import postgres

    # the photos move-to-server copies go to the data folder: the benchmark's, not this
    # account's
    os.environ["XDG_DATA_HOME"] = str((args.cache / "data").resolve())
    found = postgres.measure(args.cache, scale, args.quick, args.latency_ms, say, only)
    print(f"\nMedSpa Desktop benchmark on PostgreSQL, scale {scale:g}: the interactive actions "
          f"directly (loopback TCP, a round trip {found['round_trip_ms']:.2f} ms) and with "
          f"{args.latency_ms:g} ms added per round trip (measured through the proxy: "
          f"{found['added_round_trip_ms']:.2f} ms); statements and round trips per call, "
          f"median (largest)")
    print(postgres.table(found))
    facts = machine()
    print(f"\n{facts['cpu']}, {facts['cores']} cores, {facts['memory_gib']} GiB; "
          f"{facts['system']}; Python {facts['python']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({
            "when": dt.datetime.now().isoformat(timespec="seconds"), "machine": facts,
            "quick": args.quick, **postgres.as_json(found)}, indent=2))
        print(f"wrote {args.out}")
    return 0
