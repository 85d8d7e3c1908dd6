"""The reports add their rows up in SQL of their own (a range per period in one UNION ALL,
text days, MATERIALIZED parts): the same figures on PostgreSQL as the closes there, and every
report runs on a server (the clinic of the memberships report's tests: dues issued, paid,
voided and frozen over a spring; three visits added)."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.billing import billing_reports
from medspa_desktop.services.reports import patients, revenue, staff_pay, treatments, utilisation
from medspa_desktop.services.reports.period import Period
from tests.services.reports.test_memberships import SPRING, _members
from tests.services.reports.test_patients import visit

D = dt.date


def test_every_report_runs_on_a_server_and_revenue_is_its_closes(pg_database):
    from medspa_desktop.services.clinic import clinic as setup
    from medspa_desktop.services.platform import auth
    from tests.conftest import PASSWORD

    admin = setup.create_clinic(setup.ClinicInfo("Test Clinic", "1 Main St", "555 010 0100",
                                                 "12-3456789"),
                                auth.UserInput("admin", "Ada Admin", "admin", PASSWORD))
    c = _members(admin)
    c["rn"] = auth.create_user(admin, auth.UserInput("rn", "Jo Kim", "provider",
                                                     "long-enough"))
    visit(c, "zoe", D(2026, 3, 10))  # her first, and she books the next before leaving
    visit(c, "zoe", D(2026, 4, 1), booked=D(2026, 3, 10))
    visit(c, "ann", D(2026, 3, 20))
    r = revenue.revenue(admin, SPRING, compare=True, record=False)
    for month in r.months:
        end = (month.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        close = billing_reports.sales_report(admin, month.month, end, record=False)
        assert month.sales_cents == close.sales_cents, month
        assert month.tickets == close.invoices - len(close.voids), month
    may = [c for d, c in r.days if d.month == 5]
    assert may == [billing_reports.daily_close(admin, D(2026, 5, d), record=False).sales_cents
                   for d in range(1, 32)]
    assert r.totals.sales_cents == sum(m.sales_cents for m in r.months) > 0
    assert dict(r.totals.by_kind)[revenue.MEMBERSHIPS] == r.totals.sales_cents
    summer = Period(D(2026, 7, 1), D(2026, 9, 30))  # its previous period is not a year before
    assert revenue.revenue(admin, summer, compare=True, record=False).previous.sales_cents \
        == r.totals.sales_cents - sum(m.sales_cents for m in r.months[:1])
    now = dt.datetime(2026, 7, 1, 11, 20)
    use = utilisation.utilisation(admin, SPRING.first, SPRING.last, now=now)
    assert use.uses and len(use.ahead) == utilisation.OPEN_DAYS
    flow = patients.patient_flow(admin, SPRING, today=D(2026, 7, 1), record=False)
    assert [(m.new, m.returning) for m in flow.months] == [(2, 0), (0, 1), (0, 0), (0, 0)]
    assert flow.cohorts[0].back == (1, 1, 1, None)  # Zoë within 22 days; 180: too soon
    assert flow.cohorts[0].judged == (2, 2, 2, 0)
    april = patients.patient_flow(admin, Period(D(2026, 4, 1), D(2026, 4, 30)),
                                  today=D(2026, 7, 1), record=False, compare=True)
    assert (april.new, april.returning, april.previous.new, april.previous.returning) == (
        0, 1, 2, 0)  # Zoë back in April; she and Ann new in March
    assert april.previous == patients.patient_flow(
        admin, Period(D(2026, 3, 1), D(2026, 3, 31)), today=D(2026, 7, 1), record=False)
    rebooked = patients.rebooking(admin, SPRING, record=False)
    assert (rebooked.total.visits, rebooked.total.rebooked) == (3, 1)
    assert patients.lost_patients(admin, SPRING, today=D(2026, 7, 1), record=False
                                  ).patients == ()
    autumn = Period(D(2026, 9, 1), D(2026, 10, 31))  # Ann lost on 20 September, Zoë 1 Oct
    lost = patients.lost_patients(admin, autumn, today=D(2026, 12, 1), record=False,
                                  compare=True)
    assert [(p.last_visit, p.visits) for p in lost.patients] == [
        (D(2026, 4, 1), 2), (D(2026, 3, 20), 1)]
    assert lost.months == ((D(2026, 9, 1), 1), (D(2026, 10, 1), 1))
    assert lost.previous == patients.lost_patients(admin, autumn.previous(),
                                                   today=D(2026, 12, 1), record=False)
    staff_pay.staff_pay(admin, SPRING.first, SPRING.last)
    treatments.injectable_use(admin, SPRING.first, SPRING.last)
