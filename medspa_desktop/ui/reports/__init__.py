"""The Reports tab and its pages."""
