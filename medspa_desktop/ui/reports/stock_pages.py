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
    def build(self, actor, period: Period, compare: bool):
        now = tr.injectable_use(actor, period.first, period.last,
                                report=f"Treatments and stock: {self.title}")
        before = period.previous() if compare else None
        return now, before, before and tr.injectable_use(actor, before.first, before.last)


def _before_text(period: Period | None) -> str:
    return (f"previous period ({period.first:%-d %b %Y} – {period.last:%-d %b %Y})"
            if period else "")


def _month_page(key: str, title: str, kinds: tuple[str, ...], what: str):
    class MonthsPage(_UsePage):
        def shown(self, figures) -> Shown:
            u, before_period, before = figures
            kind_of = {p.product: p.kind for p in u.by_product}
            lines = [(p, unit, months) for p, unit, months in u.per_month
                     if kind_of.get(p) in kinds]
            many_years = u.months[0].year != u.months[-1].year
            categories = tuple(f"{m:%b %Y}" if many_years else f"{m:%b}" for m in u.months)
            series = tuple(Series(f"{p} ({unit})", tuple(amount(c) for c in months))
                           for p, unit, months in lines)
            rows = tuple((f"{p} ({unit})", *(show(c, unit) for c in months),
                          show(sum(months), unit)) for p, unit, months in lines)
            heads = ("Product", *(f"{m:%b %Y}" for m in u.months), "Total")
            headline = "; ".join(f"{p}: {show(sum(months), unit)}"
                                 for p, unit, months in lines)
            if before is not None:  # each product's total then, beside its total now
                earlier = {(p, unit): sum(months) for p, unit, months in before.per_month
                           if kind_of.get(p, _kind(before, p)) in kinds}
                rows = tuple(row + (show(earlier.get((p, unit), 0), unit),)
                             for row, (p, unit, _m) in zip(rows, lines, strict=True))
                heads += ("Previous period",)
                then = "; ".join(f"{p}: {show(c, unit)}" for (p, unit), c in earlier.items()
                                 if c)
                headline = (headline + ". " if headline else "") + (
                    f"The {_before_text(before_period)}: {then or f'no {what}'}")
            return Shown(headline + "." if headline else "",
                         Chart(categories, series, "count", stacked=True,
                               empty=f"No {what} were charted in this period."),
                         Table(heads, rows, tuple(range(1, len(heads)))),
                         (COUNTING,))

    MonthsPage.key, MonthsPage.title = key, title
    MonthsPage.__name__ = MonthsPage.__qualname__ = f"{key.split('.')[-1].title()}Page"
    return MonthsPage()


class ProviderPage(_UsePage):
    key = "stock.providers"
    title = "Injectables by provider"

    def shown(self, figures) -> Shown:
        u, before_period, before = figures
        rows = tuple((p.product, p.provider, show(p.centi, p.unit), f"{p.patients:,}",
                      f"{p.treatments:,}", show(p.per_patient_centi, p.unit),
                      show(p.per_treatment_centi, p.unit)) for p in u.by_provider)
        heads = ("Product", "Provider", "Used", "Patients", "Treatments", "Per patient",
                 "Per treatment")
        if before is not None:  # the same product and provider's units per patient then
            earlier = {(p.product, p.provider): p for p in before.by_provider}
            rows = tuple(row + (show(earlier[(p.product, p.provider)].per_patient_centi,
                                     p.unit) if (p.product, p.provider) in earlier else "—",)
                         for row, p in zip(rows, u.by_provider, strict=True))
            heads += ("Per patient, previous period",)
        providers = sorted({p.provider for p in u.by_provider if p.kind == ProductKind.TOXIN})
        per_patient = [_per_patient(u, name) for name in providers]
        series = [Series("Neurotoxin units per patient", tuple(per_patient))]
        if before is not None:
            series.append(Series("Previous period", tuple(
                _per_patient(before, name) for name in providers)))
        chart = Chart(tuple(providers), tuple(series), "count", horizontal=True,
                      empty="No neurotoxin was charted in this period.")
        headline = ("Units per patient: what each provider used over the patients they "
                    "treated with it (a patient treated twice counts once)." if rows else "")
        if before is not None and rows:
            headline += f" Compared with the {_before_text(before_period)}."
        return Shown(headline, chart, Table(heads, rows, tuple(range(2, len(heads)))),
                     (COUNTING, "The chart adds every neurotoxin product together, patients "
                                "counted per product."))


def _kind(u: tr.InjectableUse, product: str) -> str | None:
    return next((p.kind for p in u.by_product if p.product == product), None)


def _per_patient(u: tr.InjectableUse, provider: str) -> float:
    """The neurotoxin units per patient of one provider (every toxin product together)."""
    mine = [p for p in u.by_provider if p.kind == ProductKind.TOXIN and p.provider == provider]
    patients = sum(p.patients for p in mine)
    return amount(round(sum(p.centi for p in mine) / patients)) if patients else 0


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
