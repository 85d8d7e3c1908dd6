"""The Patients pages of the Reports tab (``services/reports/patients.py`` drawn): new and
returning per month, the return rate of each month's new patients, the rebooking rate,
no-shows and late cancellations by weekday and by provider, patients lost."""

from __future__ import annotations

import datetime as dt

from ...services.reports import patients as pt
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from .page import ReportPage

EMPTY_VISITS = ("No visits in this period. Visits count once the patient has arrived (mark "
                "them arrived on the Schedule); choose a longer period above to look further "
                "back.")


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.1f}%"


def _month(month: dt.date, many_years: bool) -> str:
    return f"{month:%b %Y}" if many_years else f"{month:%b}"


def _many_years(period: Period) -> bool:
    return period.first.year != period.last.year


class _PatientsPage(ReportPage):
    group = "Patients"


class FlowPage(_PatientsPage):
    key = "patients.flow"
    title = "New and returning"

    def build(self, actor, period: Period, compare: bool) -> tuple:
        now = pt.patient_flow(actor, period, report=f"Patients: {self.title}", compare=compare)
        return now, now.previous

    def shown(self, figures) -> Shown:
        f, before = figures
        many = _many_years(f.period)
        headline = (f"{f.new:,} new patients (a first visit in this period) and "
                    f"{f.returning:,} who had come before.")
        if before is not None:
            headline += (f" Previous period: {before.new:,} new and {before.returning:,} "
                         "who had come before.")
        chart = Chart(tuple(_month(m.month, many) for m in f.months),
                      (Series("New", tuple(m.new for m in f.months)),
                       Series("Returning", tuple(m.returning for m in f.months))),
                      "count", stacked=True, empty=EMPTY_VISITS)
        rows = tuple((f"{m.month:%B %Y}", f"{m.new:,}", f"{m.returning:,}",
                      f"{m.new + m.returning:,}") for m in f.months)
        table = Table(("Month", "New", "Returning", "Patients seen"), rows, (1, 2, 3))
        return Shown(headline, chart, table, (
            "A patient is new in the month of their first visit ever and returning in any "
            "later month they come in; a patient seen in several months counts in each.",))


class ReturnRatePage(_PatientsPage):
    key = "patients.return"
    title = "Return rate"

    def build(self, actor, period: Period, compare: bool):
        now = pt.patient_flow(actor, period, report=f"Patients: {self.title}", compare=compare)
        return now, now.previous

    def shown(self, figures) -> Shown:
        f, before = figures
        many = _many_years(f.period)
        cohorts = f.cohorts
        series = tuple(Series(f"Within {days} days", tuple(
            c.share(i) or 0 for c in cohorts)) for i, days in enumerate(pt.RETURN_DAYS))
        chart = Chart(tuple(_month(c.month, many) for c in cohorts), series, "percent",
                      empty="No new patients in this period, so no return rate yet. Choose a "
                            "longer period above.")
        rows = []
        for c in cohorts:
            cells = [f"{c.month:%B %Y}", f"{c.patients:,}"]
            for i in range(len(pt.RETURN_DAYS)):
                share = c.share(i)
                cells.append("—" if share is None else
                             f"{share:.0f}% ({c.back[i]} of {c.judged[i]})")
            rows.append(tuple(cells))
        total_new, back, judged = _returns(cohorts)
        total = ("All", f"{total_new:,}", *(
            f"{back[i] * 100 / judged[i]:.0f}% ({back[i]} of {judged[i]})" if judged[i]
            else "—" for i in range(len(pt.RETURN_DAYS))))
        headline = (f"Of {total_new:,} new patients, " + ", ".join(
            f"{back[i] * 100 / judged[i]:.0f}% came back within {days} days"
            for i, days in enumerate(pt.RETURN_DAYS) if judged[i]) + "."
                    if any(judged) else f"{total_new:,} new patients; too soon to tell "
                                        "how many come back." if total_new else
                    "No new patients in this period.")
        if before is not None:  # the previous period's cohorts, added up: a last row
            was_new, was_back, was_judged = _returns(before.cohorts)
            p = before.period
            rows.append((f"Previous period ({p.first:%-d %b %Y} – {p.last:%-d %b %Y})",
                         f"{was_new:,}", *(
                             f"{was_back[i] * 100 / was_judged[i]:.0f}% ({was_back[i]} of "
                             f"{was_judged[i]})" if was_judged[i] else "—"
                             for i in range(len(pt.RETURN_DAYS)))))
            headline += (f" Previous period: {was_new:,} new patients" + "".join(
                f", {was_back[i] * 100 / was_judged[i]:.0f}% back within {days} days"
                for i, days in enumerate(pt.RETURN_DAYS) if was_judged[i]) + ".")
        return Shown(headline, chart, Table(
            ("First seen", "New patients", *(f"Back within {d} days" for d in pt.RETURN_DAYS)),
            tuple(rows), (1, 2, 3, 4, 5), total), (
            "Of the patients whose first visit was in the month, the share with another visit "
            "on a later day within 30, 60, 90 and 180 days. A patient counts once their window "
            "has passed; “—” means too soon to tell.",))


def _returns(cohorts) -> tuple[int, list[int], list[int]]:
    """New patients, and per RETURN_DAYS those back and those judged, over ``cohorts``."""
    return (sum(c.patients for c in cohorts),
            [sum(c.back[i] or 0 for c in cohorts) for i in range(len(pt.RETURN_DAYS))],
            [sum(c.judged[i] for c in cohorts) for i in range(len(pt.RETURN_DAYS))])


class RebookingPage(_PatientsPage):
    key = "patients.rebooking"
    title = "Rebooking rate"

    def build(self, actor, period: Period, compare: bool) -> tuple:
        now = pt.rebooking(actor, period, report=f"Patients: {self.title}")
        before = pt.rebooking(actor, period.previous(), record=False) if compare else None
        return now, before

    def shown(self, figures) -> Shown:
        r, before = figures
        headline = (f"{pct(r.total.share)} of {r.total.visits:,} visits left with the next "
                    "visit booked.")
        if before is not None:
            headline += f" Previous period: {pct(before.total.share)}."
        chart = Chart(tuple(m.label for m in r.months),
                      (Series("Rebooked", tuple(m.share or 0 for m in r.months)),), "percent",
                      empty=EMPTY_VISITS)
        if not r.total.visits:
            chart = Chart((), (), "percent", empty=EMPTY_VISITS)
        rows = tuple((m.label, f"{m.visits:,}", f"{m.rebooked:,}", pct(m.share))
                     for m in (*r.months, *(pt.Rebooked(f"Provider: {p.label}", p.visits,
                                                       p.rebooked) for p in r.providers)))
        return Shown(headline, chart, Table(
            ("Month or provider", "Visits", "Rebooked", "Rate"), rows, (1, 2, 3),
            ("Total", f"{r.total.visits:,}", f"{r.total.rebooked:,}", pct(r.total.share))), (
            "A visit is rebooked when the patient's next appointment was made on the visit's "
            "day, for a later day.",))


class _NoShowPage(_PatientsPage):
    by = ""

    def build(self, actor, period: Period, compare: bool) -> tuple:
        now = pt.no_shows(actor, period, report=f"Patients: {self.title}")
        before = pt.no_shows(actor, period.previous(), record=False) if compare else None
        return now, before

    def shown(self, figures) -> Shown:
        n, before = figures
        rows_of = n.weekdays if self.by == "weekday" else n.providers
        t = n.total
        headline = (f"No-shows {pct(t.no_show_rate)} and late cancellations "
                    f"{pct(t.late_cancel_rate)} of {t.booked:,} appointments.")
        if before is not None:
            headline += (f" Previous period: {pct(before.total.no_show_rate)} and "
                         f"{pct(before.total.late_cancel_rate)}.")
        chart = Chart(tuple(a.label for a in rows_of),
                      (Series("No-shows", tuple(a.no_show_rate or 0 for a in rows_of)),
                       Series("Late cancellations", tuple(a.late_cancel_rate or 0
                                                          for a in rows_of))),
                      "percent", horizontal=self.by == "provider",
                      empty="No appointments kept, missed or cancelled late in this period.")
        rows = tuple((a.label, f"{a.booked:,}", f"{a.no_shows:,}", pct(a.no_show_rate),
                      f"{a.late_cancels:,}", pct(a.late_cancel_rate)) for a in rows_of)
        return Shown(headline, chart, Table(
            ("Weekday" if self.by == "weekday" else "Provider", "Appointments", "No-shows",
             "No-show rate", "Late cancellations", "Late-cancel rate"), rows, (1, 2, 3, 4, 5),
            ("Total", f"{t.booked:,}", f"{t.no_shows:,}", pct(t.no_show_rate),
             f"{t.late_cancels:,}", pct(t.late_cancel_rate))), (
            "Of the appointments kept, missed or cancelled inside the clinic's notice period; "
            "a cancellation in good time is neither.",))


class NoShowWeekdayPage(_NoShowPage):
    key, title, by = "patients.noshow_weekday", "No-shows by weekday", "weekday"


class NoShowProviderPage(_NoShowPage):
    key, title, by = "patients.noshow_provider", "No-shows by provider", "provider"


class LostPage(_PatientsPage):
    key = "patients.lost"
    title = "Patients lost"

    def build(self, actor, period: Period, compare: bool):
        now = pt.lost_patients(actor, period, report=f"Patients: {self.title}", compare=compare)
        return now, now.previous

    def shown(self, figures) -> Shown:
        lost, before = figures
        many = _many_years(lost.period)
        series = [Series("Patients lost", tuple(n for _m, n in lost.months))]
        if before is not None:  # month by month, the previous period's months in order
            counts = [n for _m, n in before.months][:len(lost.months)]
            series.append(Series("Previous period", tuple(
                counts + [0] * (len(lost.months) - len(counts))), line=True))
        chart = Chart(tuple(_month(m, many) for m, _n in lost.months), tuple(series), "count",
                      empty="No patient went six months without a visit in this period.")
        rows = tuple((p.name, p.chart_number, f"{p.last_visit:%a} {p.last_visit.day} "
                      f"{p.last_visit:%b %Y}", f"{p.visits:,}") for p in lost.patients)
        headline = (f"{len(lost.patients):,} patients went six months without a visit in this "
                    "period and have not come back or booked since.")
        if before is not None:
            p = before.period
            headline += (f" Previous period ({p.first:%-d %b %Y} – {p.last:%-d %b %Y}): "
                         f"{len(before.patients):,} who have not come back or booked since.")
        return Shown(headline, chart, Table(("Patient", "Chart", "Last visit", "Visits"), rows,
                                            (3,)), (
            "Counted in the month their six months ran out. Archived charts are left out. "
            "The table is a list to call: export it with Export CSV….",))


PAGES = [FlowPage(), ReturnRatePage(), RebookingPage(), NoShowWeekdayPage(),
         NoShowProviderPage(), LostPage()]
