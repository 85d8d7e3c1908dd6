"""The Reports tab: the owner opens it, switches ranges and pages, sees the table on demand,
exports a PDF and a CSV that read back; front desk never sees it; a just-installed clinic
shows what to do instead of empty axes."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtWidgets import QLabel

from medspa_desktop.services.billing.money import show_cents
from medspa_desktop.services.reports import revenue as rv
from medspa_desktop.services.reports.period import preset
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui import style
from medspa_desktop.ui.main_window import TAB_KEYS, MainWindow
from tests.conftest import staff
from tests.documents.pdftext import pdf_text


def _window(qtbot, user) -> MainWindow:
    w = MainWindow(user, remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_owner_switches_ranges_and_exports_a_pdf_and_a_csv(qtbot, demo_db, tmp_path):
    admin = staff("admin")
    w = _window(qtbot, admin)
    w.show_tab("reports")
    tab = w.reports
    assert w.current_tab_key() == "reports"
    assert tab.page.key == "revenue.months"
    assert isinstance(tab.chart, QChartView)  # the demo has sales this month or last
    assert not tab.table.isVisible()
    tab.table_button.click()
    assert tab.table.isVisible()

    tab.choose_range("last_12_months")
    tab.compare.setChecked(True)
    tab.show_page("revenue.category")
    period = preset("last_12_months", dt.date.today())
    figures = rv.revenue(admin, period, record=False)
    total = show_cents(figures.totals.sales_cents)
    assert tab.period == period
    assert tab.headline.text().startswith(f"Net sales {total}.")
    assert "Previous period" in tab.headline.text()
    assert tab.table.item(tab.table.rowCount() - 1, 1).text() == total  # the total row
    events = AuditEvent.select().where(AuditEvent.action == "report.viewed")
    assert events.where(AuditEvent.summary == "Revenue: By category",
                        AuditEvent.record_id == period.key()).exists()

    pdf = tab.export_pdf(str(tmp_path / "category.pdf")).read_bytes()
    text = pdf_text(pdf)
    assert "Revenue: By category" in text and total in text
    assert "Category Net sales Share Previous period Change" in text
    csv = tab.export_csv(str(tmp_path / "category.csv")).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == "Category,Net sales,Share,Previous period,Change"
    assert csv.splitlines()[-1].startswith(f'Total,"{total}"')

    tab.show_page("patients.return")
    assert tab.headline.text().startswith("Of ") and isinstance(tab.chart, QChartView)
    csv = tab.export_csv(str(tmp_path / "return.csv")).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == ("First seen,New patients,Back within 30 days,"
                                   "Back within 60 days,Back within 90 days,"
                                   "Back within 180 days")
    text = pdf_text(tab.export_pdf(str(tmp_path / "return.pdf")).read_bytes())
    assert "Patients: Return rate" in text
    # compared: the previous period's cohorts added up, a row of the table, CSV and PDF
    before = preset("last_12_months", dt.date.today()).previous()
    assert " Previous period: " in tab.headline.text()
    assert any(line.startswith(f"Previous period ({before.first:%-d %b %Y}")
               for line in csv.splitlines())
    assert "Previous period (" in text
    tab.show_page("patients.lost")
    assert f"Previous period ({before.first:%-d %b %Y}" in tab.headline.text()
    assert [s.name for s in tab.page.shown(tab.page.build(admin, tab.period, True)).chart
            .series] == ["Patients lost", "Previous period"]

    first = dt.date.today() - dt.timedelta(days=40)
    tab.choose_range("custom", first, dt.date.today())
    assert tab.period.first == first and tab.date_from.isEnabled()
    tab.choose_range("custom", dt.date.today(), first)  # backwards: said, nothing drawn
    assert "before the start date" in tab.message.text()
    assert tab.period.first == first


def test_front_desk_and_providers_never_see_the_tab(qtbot, demo_db):
    index = TAB_KEYS.index("reports")
    for username in ("frontdesk", "injector"):
        w = _window(qtbot, staff(username))
        assert not w.tabs.isTabVisible(index)
        assert not w.tab_actions[index].isVisible()
        w.show_tab("reports")
        assert w.current_tab_key() != "reports"
        assert not w.reports._built  # nothing read
    director = _window(qtbot, staff("director"))
    assert director.tabs.isTabVisible(index)


def test_a_new_clinic_says_what_to_do_instead_of_empty_axes(qtbot, admin):
    w = _window(qtbot, admin)
    w.show_tab("reports")
    tab = w.reports
    for page in tab.pages:
        tab.show_page(page.key)
        assert isinstance(tab.chart, QLabel), page.key
        assert tab.chart.text(), page.key
    tab.show_page("revenue.months")
    assert "No sales in this period" in tab.chart.text()


def test_the_pdf_charts_are_drawn_in_the_screen_colours():
    from medspa_desktop.documents import report

    assert report.CHART_SERIES == style.CHART_SERIES
    assert (report.CHART_LINE, report.CHART_GRID) == (style.CHART_LINE, style.CHART_GRID)


@pytest.mark.parametrize("role", ["admin", "director"])
def test_the_owner_roles_may_open_it_from_the_view_menu(qtbot, demo_db, role):
    w = _window(qtbot, staff(role))
    w.tab_actions[TAB_KEYS.index("reports")].trigger()
    assert w.current_tab_key() == "reports"


def test_a_sale_made_meanwhile_shows_once_the_changes_pause(qtbot, demo_db):
    from medspa_desktop.services.billing import invoices
    from medspa_desktop.services.billing.invoices import CheckoutInput
    from medspa_desktop.store.models import Patient, Product

    w = _window(qtbot, staff("admin"))
    w.show_tab("reports")
    tab = w.reports
    before = tab.headline.text()
    desk = staff("frontdesk")
    product = Product.select().where(Product.price_cents > 0, Product.active == True  # noqa: E712
                                     ).first()
    invoices.issue_invoice(desk, CheckoutInput(Patient.select().first().id, (
        invoices.product_line(desk, product.id, 1),)))
    assert tab.headline.text() == before  # not at every change: after a pause
    qtbot.waitUntil(lambda: tab.headline.text() != before, timeout=6000)
    figures = rv.revenue(staff("admin"), tab.period, record=False)
    assert tab.headline.text().startswith(
        f"Net sales {show_cents(figures.totals.sales_cents)} ")


def test_dates_typed_in_are_read_once_they_rest(qtbot, demo_db):
    from PySide6.QtCore import QDate

    w = _window(qtbot, staff("admin"))
    w.show_tab("reports")
    tab = w.reports
    tab.range.setCurrentIndex(tab.range.findData("custom"))
    looks = AuditEvent.select().where(AuditEvent.action == "report.viewed")
    before = looks.count()
    today = dt.date.today()
    for days in (3, 30, 45):  # as the digits of a day go in
        day = today - dt.timedelta(days=days)
        tab.date_from.setDate(QDate(day.year, day.month, day.day))
    assert looks.count() == before
    qtbot.waitUntil(lambda: tab.period.first == today - dt.timedelta(days=45), timeout=3000)
    assert looks.count() == before + 1
