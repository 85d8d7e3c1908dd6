"""Whole-clinic exchange: the export of everything in open formats (FHIR R4, CSV, files)."""
