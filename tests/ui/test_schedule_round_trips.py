"""The schedule's columns cost the same number of statements for many providers as for a few:
on a clinic's server every statement is a round trip across the network (``python -m benchmarks
--postgres`` counts them), and the day view used to read each provider's hours, and the
clinic's, once per provider."""

from __future__ import annotations

import datetime as dt

from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import hours
from medspa_desktop.ui.schedule.tab import ScheduleTab
from tests.conftest import staff
from tests.ui.test_schedule import quiet_weekday

PASSWORD = "correct horse battery"


def _columns(tab: ScheduleTab) -> dict[str, tuple | None]:
    return {c.title: c.working for c in tab.grid.columns}


def test_more_providers_add_columns_not_statements(qtbot, demo_db, statements):
    admin = staff("admin")
    tab = ScheduleTab(staff("frontdesk"))
    qtbot.addWidget(tab)
    tab.show()
    day = quiet_weekday()
    tab.set_day(day + dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    before = len(statements)
    kim = auth.create_user(admin, auth.UserInput("kim", "Jo Kim", "provider", PASSWORD,
                                                 display_name="Jo Kim"))
    auth.create_user(admin, auth.UserInput("lee", "Ann Lee", "provider", PASSWORD,
                                           display_name="Ann Lee"))
    hours.set_working_hours(admin, kim.id, {d: "10:00-14:30" for d in range(7)})
    tab.set_day(day + dt.timedelta(days=7))
    statements.clear()
    tab.set_day(day)
    assert len(statements) == before
    shown = _columns(tab)
    # her own hours, and his the clinic's (he has none of his own)
    assert shown["Jo Kim"] == (dt.time(10), dt.time(14, 30))
    assert shown["Ann Lee"] == hours.clinic_hours()[day.weekday()]
    # a provider's week reads their hours once, not once a day
    injector = staff("injector")
    hours.set_working_hours(admin, injector.id, {d: "10:00-14:30" for d in range(7)})
    tab.set_view("week", "provider", injector.id)
    statements.clear()
    tab.set_day(day + dt.timedelta(days=7))
    week = [sql for sql, _ in statements if "working_hours" in sql]
    assert len(week) == 1
    assert {c.working for c in tab.grid.columns} == {(dt.time(10), dt.time(14, 30))}
