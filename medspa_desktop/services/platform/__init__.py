"""Platform: sign-in, staff, permissions, audit, backup, integrity, errors, shared helpers."""
