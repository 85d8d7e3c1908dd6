"""Domain operations, one package per domain of the clinic. No Qt here: every rule is
testable without a window.

- ``platform/``    what every domain stands on: sign-in, staff, permissions, audit, backup,
                   integrity, errors, and shared helpers (text, query, png, exports)
- ``clinic/``      clinic set-up: the clinic's details, the catalog, clinical periods
- ``scheduling/``  appointments, double-booking rules, hours, availability, series, waitlist,
                   the day sheet
- ``charts/``      patients, the chart, intake, contraindications, alerts, notes, photos
- ``treatments/``  treatment records and amendments, face charts, treatment log, inventory
- ``consents/``    consent templates, signing, the consent policy
- ``billing/``     invoices and payments, money, invoice arithmetic, packages and gift cards,
                   billing reports

A new capability gets its own package when it is a domain of its own, and joins one when it
belongs there: membership plans and their monthly dues go in ``memberships/`` (beside
``billing/``, which invoices them); reminders, recalls and the outbox in ``messaging/``;
imports and exports of whole records in ``exchange/``; reports across domains in
``reports/``. A package's ``__init__`` imports nothing: import the module you use.

Each call that reads or changes patient data takes the acting ``User``, checks the permission
(``platform.permissions.require``), does its work in one transaction and writes its audit
event in that same transaction. A refused call raises a ``DomainError`` subclass and writes
nothing.
"""
