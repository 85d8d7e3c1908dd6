"""The Billing tab's sales report: the period dialog (its default, a refused period explained
in place, Enter to preview, Esc to cancel) and the report's print preview."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt

from medspa_desktop.documents.sales_report import period_text
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui.billing.sales_report_dialog import SalesReportDialog, default_period
from tests.conftest import staff
from tests.ui.modal import answer_next_modal, expect_preview


def test_the_default_is_last_month_in_a_months_first_week():
    assert default_period(dt.date(2026, 11, 3)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert default_period(dt.date(2026, 11, 7)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert default_period(dt.date(2026, 11, 8)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    assert default_period(dt.date(2027, 1, 1)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert default_period(dt.date(2028, 3, 2)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))


def _set(edit, day: dt.date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def test_a_refused_period_is_explained_in_the_dialog_then_enter_previews(qtbot, demo_db):
    from medspa_desktop.ui.billing.tab import BillingTab

    tab = BillingTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=27)
    seen: dict[str, object] = {}

    def choose(dialog: SalesReportDialog) -> None:
        assert isinstance(dialog, SalesReportDialog)
        seen["default"] = dialog.period()
        _set(dialog.date_from, end)
        _set(dialog.date_to, start)
        qtbot.keyClick(dialog.date_to, Qt.Key.Key_Return)  # Enter in a field previews
        assert dialog.isVisible() and dialog.message.isVisible()
        seen["backwards"] = dialog.message.text()
        _set(dialog.date_from, start - dt.timedelta(days=400))
        dialog.preview_button.click()
        seen["too long"] = dialog.message.text()
        _set(dialog.date_from, start)
        assert dialog.message.isHidden()  # a change clears the message
        _set(dialog.date_to, end)
        seen["printed"] = expect_preview()
        qtbot.keyClick(dialog.date_to, Qt.Key.Key_Return)

    answer_next_modal(choose)
    tab.sales_button.click()
    assert seen["default"] == default_period(dt.date.today())
    assert "end date" in seen["backwards"] and "before the start date" in seen["backwards"]
    assert "at most a year" in seen["too long"]
    text = seen["printed"][0]
    assert f"Sales report, {period_text(start, end)}" in text and "Day by day" in text
    assert f"{end:%a} {end.day} {end:%b %Y}" in text
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.record_id) == ("report.sales", f"{start}..{end}")


def test_escape_cancels_the_report(qtbot, demo_db):
    from medspa_desktop.ui.billing.tab import BillingTab

    tab = BillingTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    events = AuditEvent.select().count()
    answer_next_modal(lambda dialog: qtbot.keyClick(dialog.date_from, Qt.Key.Key_Escape))
    tab.sales_button.click()
    assert AuditEvent.select().count() == events
