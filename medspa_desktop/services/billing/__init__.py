"""Billing: invoices and payments, money, invoice arithmetic, packages and gift cards, reports."""
