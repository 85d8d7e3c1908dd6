"""The benchmark's measurements that need a process of their own; each prints one JSON line.

    python -m benchmarks.processes sign-in DB          start the program, paint the sign-in
    python -m benchmarks.processes cold-start DB DAY   start the program, paint DAY's schedule
    python -m benchmarks.processes scroll DB           scroll the whole treatment log
    python -m benchmarks.processes import DIR COUNT    move a COUNT-patient CSV into a new clinic
    python -m benchmarks.processes export DB USER OUT  export the whole clinic to OUT
    python -m benchmarks.processes import-clinic DIR NEW   import the export DIR into NEW
    python -m benchmarks.processes commit URL DAY      another PC: books on DAY per "book" line
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time


def sign_in(db: str) -> dict:
    """What ``app.run_gui`` does from start until the sign-in dialog is painted: its imports,
    the application, the single-window claim and then, for a clinic file, the opening of the
    file, the whole check started beside it and the main window's imports before the dialog;
    for a clinic on a server, the dialog at once with the server opening behind it
    (``app._server_sign_in``) and the main window's imports after the paint. ``painted_at``:
    the wall clock when the dialog was painted (the parent subtracts its start: this
    process's exit is not part of the wait); ``ready_ms``: on a server, from the paint until
    the server was open behind it. Also which heavy modules were imported before the paint
    (none of reportlab or the PostgreSQL driver is needed yet)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from medspa_desktop import APP_NAME
    from medspa_desktop.app import make_application, watch_database
    from medspa_desktop.store.database import is_postgres_url

    app = make_application()
    from medspa_desktop.ui.login import LoginDialog
    from medspa_desktop.ui.single_instance import claim

    instance = claim(db)
    if instance is None:
        raise SystemExit(f"{db} is open in another window")
    if is_postgres_url(db):
        dialog = LoginDialog(APP_NAME, "frontdesk", server=db)
    else:
        from medspa_desktop.services.clinic import clinic
        from medspa_desktop.store.opening import open_clinic_database
        from medspa_desktop.ui.first_run import FirstRunDialog  # noqa: F401  as run_gui does
        from medspa_desktop.ui.main_window import MainWindow  # noqa: F401

        refusal = open_clinic_database(db)
        if refusal:
            raise SystemExit(refusal)
        watch_database(db)
        if not clinic.is_set_up():
            raise SystemExit(f"{db} is not set up")
        dialog = LoginDialog(clinic.clinic_info().name, "frontdesk")
    dialog.show()
    app.processEvents()
    dialog.repaint()
    painted_at, painted = time.time(), time.perf_counter()
    imported = sorted(m for m in ("reportlab", "psycopg", "pypdfium2") if m in sys.modules)
    modules = len(sys.modules)
    ready_ms = None
    if dialog.server_state != "ready":
        from medspa_desktop.ui import first_run, main_window  # noqa: F401  as run_gui does

        deadline = time.monotonic() + 60
        while dialog.server_state == "connecting" and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.002)
        if dialog.server_state != "ready":
            raise SystemExit(f"the server did not open: {dialog.message.text()}")
        ready_ms = (time.perf_counter() - painted) * 1000
    return {"modules": modules, "imported": imported, "painted_at": painted_at,
            "ready_ms": ready_ms}


def cold_start(db: str, day: str) -> dict:
    """What the program does from start to its main window (the sign-in dialog aside: its
    password hash is slow on purpose), painted on ``day``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from medspa_desktop.app import make_application, watch_database
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.opening import open_clinic_database

    app = make_application()
    refusal = open_clinic_database(db)
    if refusal:
        raise SystemExit(refusal)
    watch_database(db)  # as the program does: the whole check runs beside the start
    from medspa_desktop.ui.main_window import MainWindow

    window = MainWindow(auth.get_user("frontdesk"), remember=False)
    window.resize(1280, 800)
    window.schedule.set_day(dt.date.fromisoformat(day))
    window.show()
    app.processEvents()
    window.repaint()
    return {"appointments": len(window.schedule.grid.appointments)}


def peak_rss_kb() -> int:
    """This process's own peak resident memory. Linux's ``ru_maxrss`` carries over, through
    exec, what the parent held when it forked this process (the benchmark's own hundreds of
    MB); ``VmHWM`` belongs to this program's memory alone."""
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def scroll(db: str) -> dict:
    """The treatment log over every year, loaded page by page as a user scrolls to its end,
    then back to its top."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from medspa_desktop.app import make_application
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.opening import open_clinic_database
    from medspa_desktop.ui.treatments.tab import TreatmentLogTab

    app = make_application()
    refusal = open_clinic_database(db)
    if refusal:
        raise SystemExit(refusal)
    tab = TreatmentLogTab(auth.get_user("director"))
    tab.resize(1280, 800)
    tab.show()
    tab.refresh()
    app.processEvents()
    pages = []
    while tab.model.canFetchMore():
        started = time.perf_counter()
        tab.model.fetchMore()
        tab.table.scrollToBottom()
        tab.table.repaint()
        pages.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()  # and back to the newest: the first pages are fetched again
    tab.table.scrollToTop()
    tab.table.repaint()
    pages.append((time.perf_counter() - started) * 1000)
    peak_kb = peak_rss_kb()
    return {"pages": len(pages), "rows": tab.model.rowCount(),
            "median_ms": statistics.median(pages) if pages else 0.0,
            "max_ms": max(pages, default=0.0), "peak_rss_mb": peak_kb / 1024}


def import_patients(folder: str, count: str) -> dict:
    """A clinic moving in: an old system's list of ``count`` patients (CSV, its headers and
    month-first dates) read, checked row by row (the dry run) and imported into a new, empty
    clinic file in ``folder``; the seconds of each step and the peak memory."""
    import random
    from pathlib import Path

    from medspa_desktop.services.charts import patient_import as pi
    from medspa_desktop.services.clinic import clinic
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.migrations import migrate

    open_database(Path(folder) / "moving-in.db")
    migrate()
    owner = clinic.create_clinic(clinic.ClinicInfo("Moving In"), auth.UserInput(
        "owner", "Olive Owner", "admin", "long-enough"), default_catalog=False)
    rng = random.Random(11)
    given = ("Ann", "Bo", "Cy", "Dee", "Eve", "Flo", "Gus", "Hal", "Ida", "Jo", "Kai", "Mia")
    family = ("Lee", "Chen", "Stone", "Hart", "Dubois", "Bauer", "Nguyen", "Garcia", "Khan")
    lines = ["Client ID,First Name,Last Name,DOB,Mobile,E-mail,Address,City,State,Zip"]
    for i in range(int(count)):
        first = f"{rng.choice(given)}{i}"
        lines.append(f"C{i},{first},{rng.choice(family)},{rng.randint(1, 12):02d}/"
                     f"{rng.randint(1, 28):02d}/{rng.randint(1940, 2005)},555 01{i % 10} "
                     f"{i % 10000:04d},{first.lower()}@example.com,{i} Main St,Naples,FL,34102")
    data = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    source = pi.read_source("old-system.csv", data)
    plan = pi.plan_import(owner, source, pi.guess_mapping(source.headers), "MDY")
    dry_s = time.perf_counter() - started
    started = time.perf_counter()
    result = pi.run_import(owner, plan)
    import_s = time.perf_counter() - started
    close_database()
    return {"rows": int(count), "imported": result.imported, "dry_run_s": dry_s,
            "import_s": import_s, "peak_rss_mb": peak_rss_kb() / 1024}


def export(db: str, username: str, out: str) -> dict:
    """File → Export clinic data's work, alone in its process: its time, and the process's
    peak memory before and after (the export streams: the second should barely exceed the
    first, whatever the clinic's size)."""
    from medspa_desktop.services.exchange.export_clinic import export_clinic
    from medspa_desktop.services.platform import auth
    from medspa_desktop.store.opening import open_clinic_database

    refusal = open_clinic_database(db)
    if refusal:
        raise SystemExit(refusal)
    user = auth.get_user(username)
    before_kb = peak_rss_kb()
    started = time.perf_counter()
    result = export_clinic(user, out)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss_mb": peak_rss_kb() / 1024,
            "before_mb": before_kb / 1024, "counts": result.counts["fhir"],
            "files": result.files,
            "bytes": sum(p.stat().st_size for p in result.path.rglob("*") if p.is_file())}


def import_clinic(export_dir: str, db: str) -> dict:
    """The round trip's way back, alone in its process: the export in ``export_dir`` into the
    new, empty clinic file ``db`` (made here); its time, and the process's peak memory before
    and after (the import streams: the second should barely exceed the first)."""
    from pathlib import Path

    from medspa_desktop.services.exchange import import_clinic as importer
    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.migrations import migrate

    Path(db).parent.mkdir(parents=True, exist_ok=True)
    open_database(db)
    migrate()
    before_kb = peak_rss_kb()
    started = time.perf_counter()
    result = importer.import_clinic(export_dir, admin=None)
    seconds = time.perf_counter() - started
    close_database()
    return {"seconds": seconds, "peak_rss_mb": peak_rss_kb() / 1024,
            "before_mb": before_kb / 1024, "rows": sum(result.counts.values())}


def commit(url: str, day: str) -> dict:
    """Another PC on the clinic's server: says READY, then for every line "book" on stdin
    books the injector's next quarter hour on ``day`` and prints the booking's id and the
    (wall-clock) moment its commit returned, as one JSON line."""
    from medspa_desktop.services.scheduling import appointments
    from medspa_desktop.store.database import close_database, open_database
    from medspa_desktop.store.models import Patient, Room, Service, User

    open_database(url)
    desk, injector = (User.get(User.username == name) for name in ("frontdesk", "injector"))
    service = Service.get(Service.name == "Botox Cosmetic")
    room = Room.select().order_by(Room.id).first()
    patient = Patient.select().where(~Patient.archived).order_by(Patient.id.desc()).first()
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9))
    print("READY", flush=True)
    booked = 0
    for line in sys.stdin:
        if line.strip() != "book":
            continue
        made = appointments.book_appointment(desk, appointments.AppointmentInput(
            patient.id, service.id, injector.id, start, start + dt.timedelta(minutes=15),
            room_id=room.id))
        print(json.dumps({"id": made.id, "committed": time.time()}), flush=True)
        start += dt.timedelta(minutes=15)
        booked += 1
    close_database()
    return {"booked": booked}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print(json.dumps({"sign-in": sign_in, "cold-start": cold_start,
                      "scroll": scroll, "import": import_patients,
                      "export": export, "import-clinic": import_clinic,
                      "commit": commit}[command](*args)))
