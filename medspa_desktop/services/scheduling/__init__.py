"""Scheduling: appointments, double booking, hours, availability, series, waitlist, day sheet."""
