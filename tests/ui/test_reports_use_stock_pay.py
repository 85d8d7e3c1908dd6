"""The Reports tab's Schedule, Treatments and stock, and Staff pay pages on the demo clinic:
the heat map drawn and printed, the injectables and stock tables, the pay statements exported
and read back, and the commission rates the admin sets (the page redraws)."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.billing.money import show_cents
from medspa_desktop.services.reports import staff_pay
from medspa_desktop.services.reports.period import preset
from medspa_desktop.store.models import AuditEvent
from medspa_desktop.ui import style
from medspa_desktop.ui.main_window import MainWindow
from medspa_desktop.ui.reports.heat_map import HeatMapView
from medspa_desktop.ui.reports.pay_pages import CommissionDialog, export_statements
from tests.conftest import staff
from tests.documents.pdftext import pdf_text


def _tab(qtbot, user):
    w = MainWindow(user, remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.show_tab("reports")
    return w.reports


def test_the_schedule_pages_draw_a_heat_map_and_print_it(qtbot, demo_db, tmp_path):
    tab = _tab(qtbot, staff("admin"))
    tab.choose_range("last_3_months")
    tab.show_page("schedule.heat.provider")
    assert isinstance(tab.chart, HeatMapView)
    assert tab.chart.heat.rows[0] == "Mon" and tab.chart.heat.columns[0] == "09"
    assert tab.headline.text().replace("\u00a0", " ").startswith("All providers: ")
    assert [tab.table.horizontalHeaderItem(c).text() for c in range(tab.table.columnCount())
            ] == ["Name", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "All week"]
    text = pdf_text(tab.export_pdf(str(tmp_path / "heat.pdf")).read_bytes())
    assert "Schedule: Providers by weekday and hour" in text
    assert "0% to 100% of available hours booked" in text and "Mon" in text
    assert AuditEvent.select().where(
        AuditEvent.action == "report.viewed",
        AuditEvent.summary == "Schedule: Providers by weekday and hour").exists()
    tab.show_page("schedule.use")
    assert "Providers " in tab.headline.text() and "Rooms " in tab.headline.text()
    tab.compare.setChecked(True)
    assert "(previous period " in tab.headline.text()
    assert tab.table.horizontalHeaderItem(5).text() == "Previous period"
    tab.compare.setChecked(False)
    tab.show_page("schedule.open")
    assert "still open in the next 14 days" in tab.headline.text()
    assert tab.table.rowCount() == 14


def test_the_stock_pages_show_units_and_value(qtbot, demo_db, tmp_path):
    tab = _tab(qtbot, staff("director"))
    tab.choose_range("last_12_months")
    tab.show_page("stock.toxin")
    assert " U" in tab.headline.text()
    csv = tab.export_csv(str(tmp_path / "toxin.csv")).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("Product,") and csv.splitlines()[0].endswith(",Total")
    tab.show_page("stock.providers")
    assert tab.table.rowCount() > 0
    # compared with the previous period: a column in the table, the CSV and the PDF
    tab.compare.setChecked(True)
    assert tab.table.horizontalHeaderItem(7).text() == "Per patient, previous period"
    assert "Compared with the previous period (" in tab.headline.text()
    tab.show_page("stock.toxin")
    last = tab.table.columnCount() - 1
    assert [tab.table.horizontalHeaderItem(c).text() for c in (last - 1, last)] == [
        "Total", "Previous period"]
    assert "The previous period (" in tab.headline.text()
    csv = tab.export_csv(str(tmp_path / "toxin2.csv")).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].endswith(",Total,Previous period")
    text = pdf_text(tab.export_pdf(str(tmp_path / "toxin.pdf")).read_bytes())
    assert "The previous period" in text  # the headline (the narrow column wraps its head)
    tab.compare.setChecked(False)
    tab.show_page("stock.value")
    assert "on the shelf at cost today" in tab.headline.text()
    tab.show_page("stock.expiring")
    assert tab.notes.text().startswith("Today's stock")


def test_the_pay_statements_and_the_commission_rates(qtbot, demo_db, tmp_path):
    admin = staff("admin")
    tab = _tab(qtbot, admin)
    tab.choose_range("last_month")
    tab.show_page("pay.providers")
    assert [b.text() for b in tab.extra_buttons] == ["Pay &statements…", "Commission &rates…"]
    assert "none set for this period" in tab.headline.text()
    period = preset("last_month", dt.date.today())
    dialog = CommissionDialog(admin, tab)
    qtbot.addWidget(dialog)
    dialog.starts.setDate(period.first)  # the admin may start them in the past
    assert "will be paid at these rates" in dialog.effect.text()
    dialog.fields["neurotoxin"].setText("10")
    dialog.fields["filler"].setText("12.5%")
    dialog.fields["retail"].setText("150")  # refused in place, nothing saved
    dialog.save()
    assert "between 0% and 100%" in dialog.message.text()
    assert staff_pay.rates()["neurotoxin"] == 0
    dialog.fields["retail"].setText("5")
    dialog.save()
    assert staff_pay.rates()["neurotoxin"] == 1000 and staff_pay.rates()["filler"] == 1250
    qtbot.waitUntil(lambda: "Neurotoxin 10%" in tab.headline.text())  # redrawn by the bus
    assert f"(from {period.first:%-d %b %Y})" in tab.headline.text().replace("\u00a0", " ")
    pay = staff_pay.staff_pay(admin, period.first, period.last)
    first = pay.providers[0]
    text = pdf_text(export_statements(tab, str(tmp_path / "pay.pdf")).read_bytes())
    assert f"Pay statement: {first.provider}" in text
    assert f"Commission {show_cents(first.commission_cents)}" in text
    assert AuditEvent.select().where(AuditEvent.action == "print.staff_statement").exists()
    tab.compare.setChecked(True)
    assert "Previous period (" in tab.headline.text()
    assert tab.table.horizontalHeaderItem(6).text() == "Previous period"
    director = _tab(qtbot, staff("director"))
    director.show_page("pay.providers")
    assert [b.text() for b in director.extra_buttons] == ["Pay &statements…"]


def test_the_rates_dialog_starts_them_on_a_date(qtbot, demo_db, tmp_path):
    """Rates from a start date: the fields show the rates in force on the date chosen
    (those typed stay), the dialog says what a past date or a later change means, and the
    page shows the rates that applied, day by day, with their dates."""
    from tests.conftest import shots

    admin = staff("admin")
    today = dt.date.today()
    week_ago, in_a_week = today - dt.timedelta(days=7), today + dt.timedelta(days=7)
    staff_pay.set_rates(admin, {"filler": 1000}, week_ago)
    staff_pay.set_rates(admin, {"filler": 1500}, in_a_week)
    dialog = CommissionDialog(admin)
    qtbot.addWidget(dialog)
    assert dialog.start_date() == today and dialog.fields["filler"].text() == "10%"
    assert dialog.effect.text() == (f"The rates set from {in_a_week:%-d %b %Y} stay; these "
                                    f"apply until {in_a_week - dt.timedelta(days=1):%-d %b %Y}.")
    assert "Ada" in dialog.history.text() or "set by" in dialog.history.text()
    dialog.fields["retail"].setText("5")
    dialog.fields["retail"].textEdited.emit("5")
    dialog.starts.setDate(in_a_week)
    assert dialog.fields["filler"].text() == "15%" and dialog.fields["retail"].text() == "5"
    dialog.starts.setDate(today - dt.timedelta(days=3))
    assert dialog.fields["filler"].text() == "10%"
    assert "will be paid at these rates" in dialog.effect.text()
    assert f"The rates set from {in_a_week:%-d %b %Y} stay" in dialog.effect.text()
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(shots() / "commission_rates.png"))
    dialog.save()
    assert not dialog.message.isVisibleTo(dialog)
    assert staff_pay.rates(today - dt.timedelta(days=4))["retail"] == 0
    assert staff_pay.rates(today - dt.timedelta(days=3))["retail"] == 500
    assert staff_pay.rates(in_a_week)["retail"] == 0  # the later version stays as it was
    tab = _tab(qtbot, admin)
    tab.window().resize(1200, 800)
    tab.choose_range("custom", today - dt.timedelta(days=14), today)
    tab.show_page("pay.providers")
    qtbot.waitUntil(lambda: "Commission rates:" in tab.headline.text())
    assert tab.headline.text().replace("\u00a0", " ").startswith(
        f"Commission rates: no commission ({today - dt.timedelta(days=14):%-d %b %Y} – "
        f"{week_ago - dt.timedelta(days=1):%-d %b %Y}); then Dermal filler 10% ("
        f"{week_ago:%-d %b %Y} – {today - dt.timedelta(days=4):%-d %b %Y}); then Dermal "
        f"filler 10%, Retail 5% ({today - dt.timedelta(days=3):%-d %b %Y} – "
        f"{in_a_week - dt.timedelta(days=1):%-d %b %Y}).")
    qtbot.wait(300)  # the chart laid out
    assert tab.window().grab().save(str(shots() / "staff_pay_page.png"))


def test_the_printed_heat_map_uses_the_screen_colours():
    from medspa_desktop.documents import heat_map

    for name in ("HEAT_LOW", "HEAT_HIGH", "HEAT_NONE", "HEAT_GRID", "HEAT_TEXT_DARK",
                 "HEAT_TEXT_LIGHT"):
        assert getattr(heat_map, name) == getattr(style, name), name
