"""Treatments: treatment records and amendments, face charts, treatment log, inventory."""
