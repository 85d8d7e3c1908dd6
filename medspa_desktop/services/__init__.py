"""Domain operations. No Qt here: every rule is testable without a window.

Each call that reads or changes patient data takes the acting ``User``, checks the permission
(``permissions.require``), does its work in one transaction and writes its audit event in that
same transaction. A refused call raises a ``DomainError`` subclass and writes nothing.
"""
