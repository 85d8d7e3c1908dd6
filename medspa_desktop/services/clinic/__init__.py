"""Clinic set-up: the clinic's details and first run, the catalog, clinical periods."""
