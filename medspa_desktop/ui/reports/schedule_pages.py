"""The Schedule pages of the Reports tab (``services/reports/utilisation.py`` drawn): the use
of each provider, room and device (booked hours over available hours), the same by weekday
and hour as a heat map for providers, rooms and devices, and the open time of the next two
weeks."""

from __future__ import annotations

from ...services.reports import utilisation as ut
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, HeatMap, Series, Shown, Table
from ...services.scheduling.hours import WEEKDAYS
from .page import ReportPage

COUNTING = ("Available hours are the clinic's opening hours (for a provider, within their own "
            "working hours), less time off and blocked time; booked hours are the "
            "appointments not cancelled or missed, counted where they fall in available "
            "hours.")
EMPTY = ("No available hours in this period: set the opening hours and add providers, rooms "
         "and devices in File → Clinic setup….")


def percent(share: float | None) -> float:
    return round(share * 100, 1) if share is not None else 0.0


class _SchedulePage(ReportPage):
    group = "Schedule"

    def build(self, actor, period: Period, compare: bool) -> ut.Utilisation:
        return ut.utilisation(actor, period.first, period.last,
                              report=f"Schedule: {self.title}")


class UsePage(_SchedulePage):
    key = "schedule.use"
    title = "Hours booked"

    def build(self, actor, period: Period, compare: bool):
        now = super().build(actor, period, compare)
        before = period.previous() if compare else None
        return now, before, before and ut.utilisation(actor, before.first, before.last)

    def shown(self, figures) -> Shown:
        u, before_period, before = figures
        uses = [x for x in u.uses if x.available_minutes or x.booked_minutes]
        names = tuple(x.name for x in uses)
        series = [Series("This period" if before else "Booked share of available hours",
                         tuple(percent(x.share) for x in uses))]
        heads = ("Name", "Kind", "Available", "Booked", "Share")
        rows = [(x.name, ut.KINDS[x.kind][:-1], ut.hours_text(x.available_minutes),
                 ut.hours_text(x.booked_minutes), ut.share_text(x.share)) for x in uses]
        if before:
            earlier = {(x.kind, x.id): x for x in before.uses}
            shares = [earlier[(x.kind, x.id)].share if (x.kind, x.id) in earlier else None
                      for x in uses]
            series.append(Series("Previous period", tuple(percent(s) for s in shares)))
            heads += ("Previous period",)
            rows = [row + (ut.share_text(s),) for row, s in zip(rows, shares, strict=True)]
        chart = Chart(names, tuple(series), "percent", horizontal=True,
                      empty=EMPTY if u.empty else "Nothing was booked in this period.")
        headline = "; ".join(
            f"{ut.KINDS[kind]} {ut.share_text(_share(u.of_kind(kind)))} booked"
            + (f" (previous period {ut.share_text(_share(before.of_kind(kind)))})"
               if before else "")
            for kind in ut.KINDS if any(x.available_minutes for x in u.of_kind(kind))) + "."
        if before_period:
            headline += (f" Previous period: {before_period.first:%-d %b %Y} – "
                         f"{before_period.last:%-d %b %Y}.")
        return Shown(headline if uses else "", chart,
                     Table(heads, tuple(rows), tuple(range(2, len(heads)))), (COUNTING,))


def _share(uses) -> float | None:
    available = sum(x.available_minutes for x in uses)
    return sum(x.booked_minutes for x in uses) / available if available else None


def _heat_page(kind: str):
    class HeatPage(_SchedulePage):
        def shown(self, u: ut.Utilisation) -> Shown:
            uses = u.of_kind(kind)
            hours = u.hours_shown()
            grid = u.heat(kind)
            heat = HeatMap(tuple(day[:3] for day in WEEKDAYS),
                           tuple(f"{h:02d}" for h in hours),
                           tuple(tuple(grid[d][h] for h in hours) for d in range(7)))
            rows = []
            for x in uses:
                by_day = []
                for d in range(7):
                    booked = sum(b for b, _a in x.heat[d])
                    available = sum(a for _b, a in x.heat[d])
                    by_day.append(ut.share_text(booked / available) if available else "—")
                rows.append((x.name, *by_day, ut.share_text(x.share)))
            share = _share(uses)
            label = ut.KINDS[kind].lower()
            headline = (f"All {label}: {ut.share_text(share)} of available hours booked."
                        if share is not None else "")
            if not uses:
                empty = f"The clinic has no {label} yet (File → Clinic setup…)."
            elif not share:
                empty = f"Nothing was booked for the {label} in this period."
            else:
                empty = ""
            return Shown(headline, Chart((), (), "percent", empty=empty),
                         Table(("Name", *(d[:3] for d in WEEKDAYS), "All week"), tuple(rows),
                               tuple(range(1, 9))),
                         ("Each square is one hour of one weekday: the share of the hours "
                          "available then that were booked, over the whole period; a blank "
                          "square was never available. " + COUNTING,),
                         heat=heat if share else None)

    HeatPage.key = f"schedule.heat.{kind}"
    HeatPage.title = f"{ut.KINDS[kind]} by weekday and hour"
    HeatPage.__name__ = HeatPage.__qualname__ = f"{kind.title()}HeatPage"
    return HeatPage()


class OpenPage(_SchedulePage):
    key = "schedule.open"
    title = "Open time, next 14 days"

    def shown(self, u: ut.Utilisation) -> Shown:
        columns = [i for i, (kind, _n) in enumerate(u.ahead_names) if kind == "provider"]
        names = tuple(u.ahead_names[i][1] for i in columns)
        days = tuple(f"{d.day:%a} {d.day.day}" for d in u.ahead)
        series = tuple(Series(name, tuple(round(d.open_minutes[i] / 60, 1) for d in u.ahead))
                       for name, i in zip(names, columns, strict=True))
        rows = tuple((f"{d.day:%a} {d.day.day} {d.day:%b}",
                      *(ut.hours_text(d.open_minutes[i]) for i in columns),
                      ut.hours_text(sum(d.open_minutes[i] for i in columns))) for d in u.ahead)
        total = sum(d.open_minutes[i] for d in u.ahead for i in columns)
        headline = (f"{ut.hours_text(total)} of providers' time is still open in the next 14 "
                    "days (from now; the period chosen above does not change it).")
        return Shown(headline if names else "",
                     Chart(days, series, "count", stacked=True,
                           empty="No provider has open time in the next 14 days." if names
                           else "No providers yet: add them in File → Clinic setup…."),
                     Table(("Day", *names, "All providers"), rows,
                           tuple(range(1, len(names) + 2))),
                     ("Open time is available time (as above) not booked; the bars are hours "
                      "per provider.",))


PAGES = [UsePage(), _heat_page("provider"), _heat_page("room"), _heat_page("device"),
         OpenPage()]
