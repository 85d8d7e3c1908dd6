"""Consents: consent templates, signing (on screen or on paper), the consent policy."""
