"""Sentences a screen and a printed document say alike. Nothing here draws, so a screen may
import it at start-up without bringing reportlab (``tests/test_start_up.py``)."""

from __future__ import annotations


def received_how(treated: int, sold: int) -> str:
    """"3 treatments, 1 bought at the desk": how a lot reached its patients (the screen and
    the printed list say it alike)."""
    return ", ".join(part for part in (
        f"{treated} treatment{'s' if treated != 1 else ''}" if treated else "",
        f"{sold} bought at the desk" if sold else "") if part) or "none"
