"""The Reports tab's Memberships pages on the demo clinic (it has members): members and MRR per
month drawn and tabled as the service counts them, compared with the period before, exported
to a PDF that reads back and a CSV; the look is audited; credit given meanwhile shows."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import QChartView

from medspa_desktop.services.billing.money import show_cents
from medspa_desktop.services.reports import memberships as mr
from medspa_desktop.services.reports.period import preset
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui.main_window import MainWindow
from tests.conftest import staff
from tests.documents.pdftext import pdf_text


def _tab(qtbot, user):
    w = MainWindow(user, remember=False)
    qtbot.addWidget(w)
    w.resize(1280, 820)
    w.show()
    qtbot.waitExposed(w)
    w.show_tab("reports")
    return w, w.reports


def test_the_owner_sees_members_and_mrr_and_exports_them(qtbot, demo_db, tmp_path):
    director = staff("director")
    w, tab = _tab(qtbot, director)
    tab.choose_range("last_3_months")
    tab.compare.setChecked(True)
    tab.show_page("memberships.members")
    period = preset("last_3_months", dt.date.today())
    f = mr.membership_figures(director, period, compare=True, record=False)
    assert f.totals.active > 0  # the demo has members
    assert isinstance(tab.chart, QChartView)
    assert tab.headline.text().startswith(f"{f.totals.active:,} active members on ")
    assert "Previous period" in tab.headline.text()
    tab.table_button.click()
    assert tab.table.rowCount() == len(period.months()) + 1  # the months and the period
    last = tab.table.rowCount() - 1
    assert [tab.table.item(last, c).text() for c in (0, 1, 5)] == [
        "Period", f"{f.totals.active:,}", show_cents(f.totals.mrr_cents)]
    assert AuditEvent.select().where(AuditEvent.action == "report.viewed",
                                     AuditEvent.summary == "Memberships: Members by month",
                                     AuditEvent.record_id == period.key()).exists()
    qtbot.wait(300)  # the chart lays itself out
    w.grab().save(str(tmp_path / "members.png"))

    tab.show_page("memberships.mrr")
    mrr = show_cents(f.totals.mrr_cents)
    assert tab.headline.text().startswith(f"MRR {mrr} on ")
    text = pdf_text(tab.export_pdf(str(tmp_path / "mrr.pdf")).read_bytes())
    assert "Memberships: Recurring revenue (MRR)" in text and mrr in text
    assert "Month Active at its end MRR Dues invoiced Dues collected" in text
    csv = tab.export_csv(str(tmp_path / "mrr.csv")).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == "Month,Active at its end,MRR,Dues invoiced,Dues collected"
    assert csv.splitlines()[-1].startswith(f'Period,{f.totals.active},"{mrr}"') or \
        csv.splitlines()[-1].startswith(f"Period,{f.totals.active},{mrr}")
    qtbot.wait(300)
    w.grab().save(str(tmp_path / "mrr.png"))


def test_credit_given_meanwhile_shows_once_the_changes_pause(qtbot, demo_db):
    from medspa_desktop.services.billing import account_credit
    from medspa_desktop.store.models import Patient

    admin = staff("admin")
    w, tab = _tab(qtbot, admin)
    tab.show_page("memberships.mrr")
    f = mr.membership_figures(admin, tab.period, record=False)
    held = f"Credit on account held on {f.totals.as_of:%-d %b %Y}: "
    assert held + show_cents(f.credit_held_cents) in tab.notes.text()
    account_credit.give_goodwill(admin, Patient.select().first().id, 12345, "a price matched")
    qtbot.waitUntil(lambda: held + show_cents(f.credit_held_cents + 12345)
                    in tab.notes.text(), timeout=6000)
