"""The README's pictures of single screens, rendered offscreen from the README's demo clinic
(``make screenshots`` writes it first): the check-in panel, a chart's signed note, the user
guide and the patient import. A picture's screen is found in the demo as a person would find
it (the first booked visit with something due, the first signed note); the program is not
changed for a picture.

    python docs/pictures.py build/readme-demo.db 2026-11-20 docs
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's program


def _save(widget, out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    if not widget.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    print(f"wrote {out}")
    widget.close()


def main(database: str, day: str, folder: str) -> int:
    from PySide6.QtWidgets import QApplication

    from medspa_desktop.services.platform.auth import get_user
    from medspa_desktop.services.scheduling.check_in import due_at_check_in
    from medspa_desktop.store.database import open_database
    from medspa_desktop.store.models import Appointment, Note

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    open_database(database)
    out = Path(folder)
    desk, director = get_user("frontdesk"), get_user("director")
    anchor = dt.date.fromisoformat(day)

    from medspa_desktop.ui.schedule.check_in import CheckInDialog

    start = dt.datetime.combine(anchor, dt.time())
    coming = (Appointment.select().where(
        Appointment.start >= start, Appointment.start < start + dt.timedelta(days=14),
        Appointment.status.in_(("booked", "confirmed"))).order_by(Appointment.start,
                                                                  Appointment.id))
    dues = [due_at_check_in(desk, appt.id, now=appt.start) for appt in coming]
    most = max(dues, key=lambda d: (bool(d.balance_cents) + bool(d.consent) + bool(d.history)))
    _save(CheckInDialog(desk, most), out / "check-in.png")

    from medspa_desktop.ui.patients.chart import ChartDialog

    note = (Note.select().where(Note.signed_at.is_null(False))
            .order_by(Note.signed_at.desc()).first())
    chart = ChartDialog(director, note.patient_id)
    chart.resize(1100, 720)
    chart.tabs.setCurrentIndex(next(i for i in range(chart.tabs.count())
                                    if chart.tabs.tabText(i).replace("&", "") == "Notes"))
    _save(chart, out / "chart-note.png")

    from medspa_desktop.ui.help.guide import GuideWindow

    _save(GuideWindow(), out / "user-guide.png")

    from medspa_desktop.ui.patients.import_dialog import ImportPatientsDialog

    sample = Path(database).with_name("old-system.csv")
    sample.write_text("Client ID;First Name;Last Name;DOB;Mobile;E-mail\n"
                      "C-100;Renée;Dubois;03/04/1990;0412 555 010;renee@example.com\n"
                      "C-101;Jürgen;Bauer;17/11/1975;;jb@example.com\n"
                      "C-102;;Nameless;01/01/1980;;\n", encoding="utf-8")
    dialog = ImportPatientsDialog(get_user("admin"))
    dialog.load(sample)
    dialog.check_button.click()
    _save(dialog, out / "import-patients.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
