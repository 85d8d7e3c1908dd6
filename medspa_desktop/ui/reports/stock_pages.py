"""The Treatments and stock pages of the Reports tab (``services/reports/treatments.py``
drawn): neurotoxin units and fillers per month, injectables by provider with the units per
patient, the stock on hand at cost, and what expires in the next 30, 60 and 90 days."""

from __future__ import annotations

from ...services.billing.money import show_cents
from ...services.platform.vocabulary import ProductKind
from ...services.reports import treatments as tr
from ...services.reports.period import Period
from ...services.reports.shapes import Chart, Series, Shown, Table
from ...services.treatments.inventory import from_centi, show
from .page import ReportPage

COUNTING = ("Counted from the stock drawn at each charted treatment, on the day of the visit; "
            "the provider is the one who charted it.")
EMPTY_USE = ("No injectables were charted in this period. They appear here once treatments "
             "are charted with their product (Treatments tab).")


def amount(centi: int) -> float:
    return float(from_centi(centi))


class _StockPage(ReportPage):
    group = "Treatments and stock"


class _UsePage(_StockPage):
    def build(self, actor, period: Period, compare: bool) -> tr.InjectableUse:
        return tr.injectable_use(actor, period.first, period.last,
                                 report=f"Treatments and stock: {self.title}")


def _month_page(key: str, title: str, kinds: tuple[str, ...], what: str):
    class MonthsPage(_UsePage):
        def shown(self, u: tr.InjectableUse) -> Shown:
            kind_of = {p.product: p.kind for p in u.by_product}
            lines = [(p, unit, months) for p, unit, months in u.per_month
                     if kind_of.get(p) in kinds]
            many_years = u.months[0].year != u.months[-1].year
            categories = tuple(f"{m:%b %Y}" if many_years else f"{m:%b}" for m in u.months)
            series = tuple(Series(f"{p} ({unit})", tuple(amount(c) for c in months))
                           for p, unit, months in lines)
            rows = tuple((f"{p} ({unit})", *(show(c, unit) for c in months),
                          show(sum(months), unit)) for p, unit, months in lines)
            headline = "; ".join(f"{p}: {show(sum(months), unit)}"
                                 for p, unit, months in lines)
            return Shown(headline + "." if lines else "",
                         Chart(categories, series, "count", stacked=True,
                               empty=f"No {what} were charted in this period."),
                         Table(("Product", *(f"{m:%b %Y}" for m in u.months), "Total"), rows,
                               tuple(range(1, len(u.months) + 2))),
                         (COUNTING,))

    MonthsPage.key, MonthsPage.title = key, title
    MonthsPage.__name__ = MonthsPage.__qualname__ = f"{key.split('.')[-1].title()}Page"
    return MonthsPage()


class ProviderPage(_UsePage):
    key = "stock.providers"
    title = "Injectables by provider"

    def shown(self, u: tr.InjectableUse) -> Shown:
        rows = tuple((p.product, p.provider, show(p.centi, p.unit), f"{p.patients:,}",
                      f"{p.treatments:,}", show(p.per_patient_centi, p.unit),
                      show(p.per_treatment_centi, p.unit)) for p in u.by_provider)
        toxins = [p for p in u.by_provider if p.kind == ProductKind.TOXIN]
        providers = sorted({p.provider for p in toxins})
        per_patient = []
        for name in providers:
            mine = [p for p in toxins if p.provider == name]
            patients = sum(p.patients for p in mine)
            per_patient.append(amount(round(sum(p.centi for p in mine) / patients))
                               if patients else 0)
        chart = Chart(tuple(providers), (Series("Neurotoxin units per patient",
                                                tuple(per_patient)),), "count",
                      horizontal=True, empty="No neurotoxin was charted in this period.")
        return Shown("Units per patient: what each provider used over the patients they "
                     "treated with it (a patient treated twice counts once)." if rows else "",
                     chart,
                     Table(("Product", "Provider", "Used", "Patients", "Treatments",
                            "Per patient", "Per treatment"), rows, (2, 3, 4, 5, 6)),
                     (COUNTING, "The chart adds every neurotoxin product together, patients "
                                "counted per product."))


class ValuePage(_StockPage):
    key = "stock.value"
    title = "Stock on hand at cost"

    def build(self, actor, period: Period, compare: bool) -> tr.StockValue:
        return tr.stock_value(actor, report=f"Treatments and stock: {self.title}")

    def shown(self, v: tr.StockValue) -> Shown:
        costed = [(name, on_hand, cents) for name, on_hand, cents in v.by_product if cents]
        headline = (f"{show_cents(v.on_hand_cents)} on the shelf at cost today"
                    + (f"; {show_cents(v.expired_cents)} more is past its expiry"
                       if v.expired_cents else "")
                    + (f"; {v.uncosted_lots} lots were received without a cost and are not "
                       "counted" if v.uncosted_lots else "") + ".")
        return Shown(headline if not v.empty else "",
                     Chart(tuple(n for n, _o, _c in costed),
                           (Series("Value at cost", tuple(c for _n, _o, c in costed)),),
                           "money", horizontal=True,
                           empty="No stock with a cost on the shelf. Receive stock with its "
                                 "cost per unit (Treatments tab → Inventory)."),
                     Table(("Product", "On hand (unexpired)", "Value at cost"),
                           tuple((n, o, show_cents(c)) for n, o, c in v.by_product), (1, 2),
                           ("Total", "", show_cents(v.on_hand_cents)) if v.by_product
                           else None),
                     ("Today's stock, whatever the period chosen above: each lot's remaining "
                      "quantity times the cost per unit it was received at.",))


class ExpiringPage(_StockPage):
    key = "stock.expiring"
    title = "Expiring in 30, 60 and 90 days"

    def build(self, actor, period: Period, compare: bool) -> tr.StockValue:
        return tr.stock_value(actor, report=f"Treatments and stock: {self.title}")

    def shown(self, v: tr.StockValue) -> Shown:
        chart = Chart(tuple(f"Within {days} days" for days, _n, _c in v.expiring),
                      (Series("Value at cost", tuple(c for _d, _n, c in v.expiring)),),
                      "money", empty="Nothing on the shelf expires in the next 90 days.")
        if not v.expiring_lots:
            chart = Chart((), (), "money", empty=chart.empty)
        headline = ("; ".join(f"within {d} days: {n} lots, {show_cents(c)}"
                              for d, n, c in v.expiring).capitalize() + "."
                    if v.expiring_lots else "")
        rows = tuple((lot.product, lot.lot_number, f"{lot.expiry:%-d %b %Y}", lot.remaining,
                      show_cents(lot.value_cents) if lot.costed else "no cost")
                     for lot in v.expiring_lots)
        return Shown(headline, chart,
                     Table(("Product", "Lot", "Expires", "Remaining", "Value at cost"), rows,
                           (3, 4)),
                     ("Today's stock, whatever the period chosen above. Each window includes "
                      "the shorter ones.",))


PAGES = [
    _month_page("stock.toxin", "Neurotoxin units by month", (ProductKind.TOXIN,),
                "neurotoxins"),
    _month_page("stock.filler", "Fillers and solutions by month",
                (ProductKind.FILLER, ProductKind.SOLUTION), "fillers or solutions"),
    ProviderPage(), ValuePage(), ExpiringPage(),
]
