"""The treatment log over the demo clinic: filters, order, paging, CSV of the whole set."""

from __future__ import annotations

import csv
import io

from medspa_desktop.services.treatments import inventory, treatment_records
from medspa_desktop.services.treatments.treatment_log import LogFilter, log_csv, treatment_log
from medspa_desktop.store.models import Lot, Product, TreatmentRecord
from tests.conftest import staff


def _rows_expected() -> int:
    """A row per charted treatment, and one per lot of a dose drawn from several."""
    return sum(max(1, len(treatment_records.lots_of(treatment_records.parameters(record))))
               for record in TreatmentRecord.select())


def test_the_log_lists_charted_treatments_newest_first_with_dose_and_lot(demo_db):
    director = staff("director")
    rows = treatment_log(director, LogFilter(), limit=50)
    assert len(rows) == 50 <= TreatmentRecord.select().count()
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    # the demo charts toxins (in units) and mesotherapy (in mL), each with its lot
    assert all(r.product and r.lot and r.dose.endswith((" U", " mL")) for r in rows)
    page2 = treatment_log(director, LogFilter(), offset=50, limit=50)
    assert not {r.appointment_id for r in rows} & {r.appointment_id for r in page2}


def test_filters_narrow_the_log(demo_db):
    director = staff("director")
    lot = Lot.select().join(Product).where(Product.name == "Botox Cosmetic").first()
    by_lot = treatment_log(director, LogFilter(lot_number=lot.lot_number.lower()), limit=500)
    assert by_lot and {r.lot for r in by_lot} == {lot.lot_number}
    assert len(by_lot) == len(inventory.recall(director, lot.lot_number))
    injector = staff("injector")
    mine = treatment_log(director, LogFilter(provider_id=injector.id), limit=500)
    assert mine and {r.provider for r in mine} == {"Priya Shah, RN"}
    someone = by_lot[0].patient.split(",")[0]
    named = treatment_log(director, LogFilter(patient=someone.lower()), limit=500)
    assert named and all(r.patient.startswith(someone) for r in named)
    assert treatment_log(director, LogFilter(modality="laser_hair")) == []


def test_sorting_is_done_in_the_query(demo_db):
    rows = treatment_log(staff("director"), LogFilter(), sort="patient", descending=False,
                         limit=500)
    keys = [r.patient.casefold() for r in rows]
    assert keys[0] <= keys[-1]


def test_the_csv_holds_every_filtered_row_not_just_a_page(demo_db):
    director = staff("director")
    everything = list(csv.reader(io.StringIO(log_csv(director, LogFilter()))))
    assert everything[0] == ["Date", "Patient", "Provider", "Modality", "Service", "Product",
                             "Lot", "Dose"]
    assert len(everything) - 1 == _rows_expected()


def test_paging_after_the_last_row_gives_every_row_once_in_every_order(demo_db):
    """The log loads page after page by seeking past the last row shown; in each sort order
    the pages add up to the whole log, in the order of a single query, ties included."""
    director = staff("director")
    for sort in ("date", "patient", "provider", "modality"):
        for descending in (True, False):
            whole = treatment_log(director, LogFilter(), sort=sort, descending=descending,
                                  limit=100_000)
            paged, last = [], None
            while True:
                page = treatment_log(director, LogFilter(), sort=sort, descending=descending,
                                     limit=7, after=last)
                paged += page
                if len(page) < 7:
                    break
                last = page[-1]
            assert [r.record_id for r in paged] == [r.record_id for r in whole], (sort,
                                                                                  descending)
            assert len({r.record_id for r in paged}) == TreatmentRecord.select().count()
            assert len(paged) == _rows_expected()
