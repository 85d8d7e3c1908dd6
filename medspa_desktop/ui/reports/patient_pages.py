"""The Patients pages of the Reports tab (``services/reports/patients.py`` drawn)."""

from __future__ import annotations

PAGES: list = []
