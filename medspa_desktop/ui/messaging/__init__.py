"""Screens of messaging: patients due (recall lists), confirmations."""
