"""CSV exports. A cell that a spreadsheet would read as a formula (starting with = + - @, tab
or carriage return) gets a leading apostrophe, so a patient's name can never run as code in
the program the file is opened with."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def recall_csv(rows) -> str:
    """The recall list (``inventory.recall``) as CSV."""
    return csv_text(
        ("Date", "Patient", "Chart", "Phone", "Email", "Product", "Lot", "Dose", "Provider"),
        ((r.at, r.patient, r.chart_number, r.phone, r.email, r.product, r.lot_number, r.dose,
          r.provider) for r in rows))
